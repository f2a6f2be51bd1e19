"""Integration lifecycle: INTEGRATION_STATUS_CHANGE pushes verified, tenants enabled and disabled."""
