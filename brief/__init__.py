"""The application (service, access, conversations, feedback, export) and its front ends."""
