"""configapi: a self-hostable Segment Config API (v1beta) over gRPC and REST."""
