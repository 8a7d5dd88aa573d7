module configapi.local/interop/terraform

go 1.26.0
