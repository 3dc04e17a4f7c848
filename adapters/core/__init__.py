"""The shared adapter core."""
