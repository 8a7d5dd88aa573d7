// Command gateway is grpc-gateway v2, built at test time from proto/, in front of a configapi
// gRPC server: the oracle tests/interop/test_gateway_oracle.py compares our own REST gateway with.
// Its marshaler prints what SPEC §1 asks of ours: proto field names and defaults emitted.
//
// Environment: CONFIGAPI_GRPC_ADDRESS (host:port of the gRPC server to forward to). It listens on
// 127.0.0.1:0 and prints "serving REST on http://HOST:PORT" once it accepts connections.
package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	// the google.rpc error details our server sends, so that error bodies can print them
	_ "google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/encoding/protojson"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gateway:", err)
		os.Exit(1)
	}
}

func run() error {
	backend := os.Getenv("CONFIGAPI_GRPC_ADDRESS")
	if backend == "" {
		return fmt.Errorf("set CONFIGAPI_GRPC_ADDRESS")
	}
	marshaler := &runtime.JSONPb{
		MarshalOptions:   protojson.MarshalOptions{UseProtoNames: true, EmitUnpopulated: true},
		UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: true},
	}
	mux := runtime.NewServeMux(runtime.WithMarshalerOption(runtime.MIMEWildcard, marshaler))
	options := []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}
	// registerAll is generated beside this file from the services in proto/ (register_gen.go).
	if err := registerAll(context.Background(), mux, backend, options); err != nil {
		return err
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Printf("serving REST on http://%s\n", listener.Addr())
	return http.Serve(listener, mux)
}
