"""Test helpers: an in-memory Bot API (the network faked at BaseRequest) and update factories."""
