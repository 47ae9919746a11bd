"""The firm's settings pages, for owners and admins: one module per area, each reading
and writing through the services and request models of that area's API routes."""
