"""Getting events onto the broker: the routing table and the publisher upstream systems use."""
