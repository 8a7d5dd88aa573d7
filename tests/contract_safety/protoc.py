"""Protos compiled at test time into a fresh descriptor pool (not the generated modules), so a
test can build routes or documents from protos other than the ones in gen/python."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

from google.protobuf import descriptor_pb2, descriptor_pool
from google.protobuf.descriptor import MethodDescriptor


def compiled_methods(proto_root: Path, out: Path) -> list[MethodDescriptor]:
    """Every method of the protos under `proto_root`, compiled by protoc into a new pool."""
    protos = sorted(str(p.relative_to(proto_root)) for p in proto_root.rglob("*.proto"))
    descriptor_set = out / "descriptors.binpb"
    command = [sys.executable, "-m", "grpc_tools.protoc", f"-I{proto_root}"]
    command += [f"-I{sysconfig.get_paths()['purelib']}", "--include_imports"]
    command += [f"--descriptor_set_out={descriptor_set}", *protos]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    files = descriptor_pb2.FileDescriptorSet.FromString(descriptor_set.read_bytes()).file
    pool = descriptor_pool.DescriptorPool()
    for file in files:
        pool.AddSerializedFile(file.SerializeToString())
    services = [s for name in protos for s in pool.FindFileByName(name).services_by_name.values()]
    return [method for service in services for method in service.methods]
