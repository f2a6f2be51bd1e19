"""Historical backfill: a tenant's one-time sync (or purge) of what LinkedIn holds, in slices."""
