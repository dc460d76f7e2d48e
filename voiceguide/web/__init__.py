"""The web layer: the studio and share, two ASGI apps (Starlette) on one server (Hypercorn), each
route a thin handler over the same pipeline and delivery modules the command line calls."""
