// A small blocking HTTP/1.1 client for tests and benchmarks over loopback: keep-alive requests
// with Content-Length bodies, and SSE streams with chunked transfer encoding. Not a general
// client: it understands what casetrail's server sends.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace casetrail::testing {

class Socket {
 public:
  explicit Socket(std::uint16_t port, int timeout_seconds = 30) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("connect failed");
    timeval tv{timeout_seconds, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  void Send(const std::string& s) {
    std::size_t at = 0;
    while (at < s.size()) {
      const ssize_t n = ::send(fd_, s.data() + at, s.size() - at, MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error("send failed");
      at += static_cast<std::size_t>(n);
    }
  }
  // Reads until buf_ holds `delim` (returns the text before it, consuming it and the delimiter).
  std::string ReadUntil(const std::string& delim) {
    for (;;) {
      const auto at = buf_.find(delim);
      if (at != std::string::npos) {
        std::string out = buf_.substr(0, at);
        buf_.erase(0, at + delim.size());
        return out;
      }
      Fill();
    }
  }
  std::string ReadExactly(std::size_t n) {
    while (buf_.size() < n) Fill();
    std::string out = buf_.substr(0, n);
    buf_.erase(0, n);
    return out;
  }

 private:
  void Fill() {
    char tmp[16384];
    const ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) throw std::runtime_error("connection closed or timed out");
    buf_.append(tmp, static_cast<std::size_t>(n));
  }
  int fd_ = -1;
  std::string buf_;
};

struct Reply {
  int status = 0;
  std::string body;
};

// Keep-alive requests on one connection.
class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port) : socket_(port) {}
  Reply Call(const std::string& method, const std::string& target, const std::string& token,
             const std::string& body = {}) {
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n";
    if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
    if (!body.empty() || method == "POST" || method == "PUT") {
      req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    }
    req += "\r\n" + body;
    socket_.Send(req);
    const std::string head = socket_.ReadUntil("\r\n\r\n");
    Reply r;
    r.status = std::atoi(head.substr(9, 3).c_str());
    std::size_t length = 0;
    for (const std::string key : {"Content-Length: ", "content-length: "}) {
      const auto at = head.find(key);
      if (at != std::string::npos) length = std::strtoull(head.c_str() + at + key.size(), nullptr, 10);
    }
    r.body = socket_.ReadExactly(length);
    return r;
  }

 private:
  Socket socket_;
};

// An SSE subscription: Next() returns one frame's text ("id: ...\nevent: ...\ndata: ...").
class SseClient {
 public:
  SseClient(std::uint16_t port, const std::string& target, const std::string& token, int timeout_seconds = 30)
      : socket_(port, timeout_seconds) {
    socket_.Send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\nAuthorization: Bearer " +
                 token + "\r\n\r\n");
    const std::string head = socket_.ReadUntil("\r\n\r\n");
    status_ = std::atoi(head.substr(9, 3).c_str());
  }
  int status() const { return status_; }
  // The next frame; empty when the stream ended (the last chunk).
  std::string Next() {
    for (;;) {
      const auto at = data_.find("\n\n", pos_);
      if (at != std::string::npos) {
        std::string frame = data_.substr(pos_, at - pos_);
        pos_ = at + 2;
        return frame;
      }
      if (ended_) return {};
      // Drop what was consumed only before reading more: erasing the front of a chunk of
      // thousands of frames after each one would cost a copy of the rest per frame.
      data_.erase(0, pos_);
      pos_ = 0;
      const std::size_t size = std::strtoull(socket_.ReadUntil("\r\n").c_str(), nullptr, 16);
      if (size == 0) {
        ended_ = true;
        continue;
      }
      data_ += socket_.ReadExactly(size);
      socket_.ReadUntil("\r\n");
    }
  }

 private:
  Socket socket_;
  int status_ = 0;
  std::string data_;
  std::size_t pos_ = 0;  // data_ before pos_ is consumed
  bool ended_ = false;
};

}  // namespace casetrail::testing
