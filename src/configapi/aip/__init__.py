"""Generic helpers for Google's API Improvement Proposals; they know nothing of our resources."""
