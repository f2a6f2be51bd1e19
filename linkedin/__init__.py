"""The LinkedIn RSC partner API client: one module per resource family over one HTTP core."""
