// The HTTP server: Boost.Beast on Asio. It only moves bytes: requests are parsed with limits
// (8 KiB of headers, the API's body limit), answered by Api::Handle on a worker pool (a durable
// write waits for its group commit there, never on an I/O thread), and written back, with
// keep-alive. Malformed HTTP gets 400, an oversized body 413, a client that stalls mid-request
// is dropped after the read timeout.
//
// Stop() stops accepting, lets in-flight requests finish (every acknowledged write is durable
// before it is acknowledged), then stops the I/O threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "adapters/http/api.hpp"

namespace casetrail::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port (see Server::port)
  int io_threads = 2;
  int worker_threads = 64;    // concurrent requests being answered
  std::size_t max_body_bytes = 1 << 20;
  std::size_t max_header_bytes = 8 << 10;
  std::chrono::seconds read_timeout{30};
};

class Server {
 public:
  Server(Api& api, ServerOptions options);
  ~Server();
  Status Start();
  std::uint16_t port() const;
  // Graceful: no new connections; waits up to `drain` for requests being answered.
  void Stop(std::chrono::seconds drain = std::chrono::seconds(30));

  struct Impl;  // the Asio plumbing (server.cpp)

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace casetrail::http
