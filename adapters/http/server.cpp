#include "adapters/http/server.hpp"

#include <pthread.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace casetrail::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

}  // namespace

struct Server::Impl {
  Api& api;
  ServerOptions options;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  asio::thread_pool workers;
  std::vector<std::thread> io_threads;
  std::atomic<int> inflight{0};
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::condition_variable idle;
  std::uint16_t port = 0;

  Impl(Api& a, ServerOptions o) : api(a), options(o), workers(static_cast<std::size_t>(o.worker_threads)) {}

  void Accept();
  void Done() {
    if (--inflight == 0) {
      std::lock_guard<std::mutex> lk(mu);
      idle.notify_all();
    }
  }
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server::Impl* server) : stream_(std::move(socket)), server_(server) {}

  void Start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_->options.max_header_bytes));
    parser_->body_limit(server_->options.max_body_bytes);
    stream_.expires_after(server_->options.read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset) {
      return Close();
    }
    if (ec) {
      // Malformed HTTP or a body over the limit: answer once, then close.
      const bool too_large = ec == bhttp::error::body_limit;
      const bool header_too_large = ec == bhttp::error::header_limit;
      Response r;
      r.status = too_large ? 413 : header_too_large ? 431 : 400;
      r.body = std::string("{\"error\":{\"code\":\"") + (too_large ? "too_large" : "bad_request") +
               "\",\"message\":\"" + (too_large ? "the body is over the limit" : header_too_large ? "the headers are over the limit" : "malformed HTTP: " + ec.message()) +
               "\"}}";
      return Write(std::move(r), false);
    }
    bhttp::request<bhttp::string_body> req = parser_->release();
    Request r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    r.authorization = std::string(req[bhttp::field::authorization]);
    r.last_event_id = std::string(req["Last-Event-ID"]);
    r.cookie = std::string(req[bhttp::field::cookie]);
    r.csrf_token = std::string(req["X-CSRF-Token"]);
    r.if_none_match = std::string(req[bhttp::field::if_none_match]);
    r.accept_encoding = std::string(req[bhttp::field::accept_encoding]);
    r.body = std::move(req.body());
    const bool keep_alive = req.keep_alive();
    if (server_->stopping) {
      Response busy;
      busy.status = 503;
      busy.body = R"({"error":{"code":"unavailable","message":"the server is stopping"}})";
      return Write(std::move(busy), false);
    }
    ++server_->inflight;
    if (server_->api.Async(r)) {
      // A command: decided here, answered when durable (no worker thread waits for the fsync).
      server_->api.HandleAsync(r, [self = shared_from_this(), keep_alive](Response res) {
        asio::post(self->stream_.get_executor(), [self, res = std::move(res), keep_alive]() mutable {
          self->Write(std::move(res), keep_alive, true);
        });
      });
      return;
    }
    if (server_->api.Inline(r)) {
      Response res = server_->api.Handle(r);
      if (res.stream) return StartStream(std::move(res));
      return Write(std::move(res), keep_alive, true);
    }
    asio::post(server_->workers, [self = shared_from_this(), r = std::move(r), keep_alive]() mutable {
      Response res = self->server_->api.Handle(r);
      asio::post(self->stream_.get_executor(), [self, res = std::move(res), keep_alive]() mutable {
        if (res.stream) return self->StartStream(std::move(res));
        self->Write(std::move(res), keep_alive, true);
      });
    });
  }

  void Write(Response r, bool keep_alive, bool counted = false) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(static_cast<bhttp::status>(r.status), 11);
    res->set(bhttp::field::server, "casetrail");
    res->set(bhttp::field::content_type, r.content_type);
    for (const auto& [k, v] : r.headers) res->set(k, v);
    res->keep_alive(keep_alive);
    res->body() = std::move(r.body);
    res->prepare_payload();
    stream_.expires_after(server_->options.read_timeout);
    bhttp::async_write(stream_, *res, [self = shared_from_this(), res, keep_alive, counted](beast::error_code ec, std::size_t) {
      if (counted) self->server_->Done();
      if (ec || !keep_alive) return self->Close();
      self->Read();
    });
  }

  // A subscription: the headers (chunked), then each batch of frames as a chunk as it becomes
  // ready, until the subscription ends (last chunk, close) or a write fails (the client went
  // away, or stopped reading for the read timeout: the subscription is cancelled).
  void StartStream(Response r) {
    sub_ = std::move(r.stream);
    header_.emplace(bhttp::status::ok, 11);
    header_->set(bhttp::field::server, "casetrail");
    header_->set(bhttp::field::content_type, r.content_type);
    for (const auto& [k, v] : r.headers) header_->set(k, v);
    header_->set("X-Accel-Buffering", "no");
    header_->keep_alive(false);
    header_->chunked(true);
    serializer_.emplace(*header_);
    stream_.expires_after(server_->options.read_timeout);
    bhttp::async_write_header(stream_, *serializer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->server_->Done();
      if (ec) return self->EndStream(false);
      self->Pump();
    });
  }

  void Pump() {
    chunk_.clear();
    const bool more = sub_->Take(&chunk_);
    if (!chunk_.empty()) {
      stream_.expires_after(server_->options.read_timeout);
      asio::async_write(stream_, bhttp::make_chunk(asio::buffer(chunk_)),
                        [self = shared_from_this(), more](beast::error_code ec, std::size_t) {
                          if (ec) return self->EndStream(false);
                          if (more) return self->Pump();
                          self->EndStream(true);
                        });
      return;
    }
    if (!more) return EndStream(true);
    sub_->NotifyWhenReady([self = shared_from_this()] {
      asio::post(self->stream_.get_executor(), [self] { self->Pump(); });
    });
  }

  void EndStream(bool clean) {
    auto sub = std::move(sub_);
    if (sub) sub->Cancel();
    if (!clean) return Close();
    stream_.expires_after(server_->options.read_timeout);
    asio::async_write(stream_, bhttp::make_chunk_last(),
                      [self = shared_from_this()](beast::error_code, std::size_t) { self->Close(); });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Server::Impl* server_;
  // Streaming (a subscription).
  std::shared_ptr<Subscription> sub_;
  std::optional<bhttp::response<bhttp::empty_body>> header_;
  std::optional<bhttp::response_serializer<bhttp::empty_body>> serializer_;
  std::string chunk_;
};

}  // namespace

void Server::Impl::Accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    } else {
      std::make_shared<Session>(std::move(socket), this)->Start();
    }
    if (!stopping) Accept();
  });
}

Server::Server(Api& api, ServerOptions options) : impl_(std::make_unique<Impl>(api, options)) {}

Server::~Server() { Stop(std::chrono::seconds(5)); }

Status Server::Start() {
  if (Status s = impl_->api.Warm(); !s.ok()) return s;
  // Commands continue on the I/O threads once durable (HandleAsync).
  impl_->api.SetExecutor([impl = impl_.get()](std::function<void()> fn) { asio::post(impl->ioc, std::move(fn)); });
  beast::error_code ec;
  auto address = asio::ip::make_address(impl_->options.address, ec);
  if (ec) return Status::InvalidArgument("listen", "'" + impl_->options.address + "' is not an IP address");
  tcp::endpoint ep(address, impl_->options.port);
  auto& acc = impl_->acceptor;
  acc.open(ep.protocol(), ec);
  if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(ep, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Unavailable("cannot listen on " + impl_->options.address + ":" +
                               std::to_string(impl_->options.port) + ": " + ec.message());
  }
  impl_->port = acc.local_endpoint().port();
  impl_->Accept();
  for (int i = 0; i < impl_->options.io_threads; ++i) {
    impl_->io_threads.emplace_back([this, i] {
      pthread_setname_np(pthread_self(), ("ct-io-" + std::to_string(i)).c_str());
      impl_->ioc.run();
    });
  }
  return Status::Ok();
}

std::uint16_t Server::port() const { return impl_->port; }

void Server::Stop(std::chrono::seconds drain) {
  if (!impl_ || impl_->io_threads.empty()) return;
  impl_->stopping = true;
  // Subscriptions end first (each gets its last frames and a clean end of stream), while the
  // I/O threads still run to send them.
  impl_->api.StopStreams();
  asio::post(impl_->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
  });
  {
    std::unique_lock<std::mutex> lk(impl_->mu);
    impl_->idle.wait_for(lk, drain, [this] { return impl_->inflight.load() == 0; });
  }
  impl_->ioc.stop();
  for (auto& t : impl_->io_threads) t.join();
  impl_->io_threads.clear();
  impl_->workers.join();
  // If the drain timed out, commands whose appends were still in flight have posted (or will
  // post) their answers to the stopped context: from now on they run where the append
  // finishes, and those already posted run here, so that each releases its child and its
  // answer is written if the connection can still take it.
  impl_->api.SetExecutor(nullptr);
  impl_->ioc.restart();
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);  // a busy client cannot hold us
  while (std::chrono::steady_clock::now() < until && impl_->ioc.poll_one() > 0) {
  }
  // No request runs any more: the views' maintainer stops (storing their checkpoints) before
  // the caller closes the log.
  impl_->api.StopMaintainer();
}

}  // namespace casetrail::http
