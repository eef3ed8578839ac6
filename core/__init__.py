"""The shared base: typed models, settings, errors, audiences, paths and logs."""
