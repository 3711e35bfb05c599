#include "adapters/http/ui_files.hpp"

#include <zlib.h>

#include <fstream>
#include <sstream>

#include "adapters/http/api.hpp"
#include "engine/hash.hpp"

#include <algorithm>

namespace casetrail::http {
namespace {

const char* ContentType(std::string_view name) {
  const auto dot = name.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? "" : name.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "json" || ext == "map") return "application/json";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "woff2") return "font/woff2";
  if (ext == "woff") return "font/woff";
  if (ext == "txt" || ext == "mmd") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

// Every segment: letters, digits, '.', '_', '-', not starting with '.' (no "..", no hidden file).
bool SafeRelative(std::string_view rel) {
  if (rel.empty()) return false;
  std::size_t start = 0;
  while (start <= rel.size()) {
    const std::size_t slash = rel.find('/', start);
    const std::string_view seg = rel.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (seg.empty() || seg.front() == '.') return false;
    for (char c : seg) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '-';
      if (!ok) return false;
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

bool Compressible(std::string_view content_type) {
  return content_type.rfind("text/", 0) == 0 || content_type == "application/json" || content_type == "image/svg+xml";
}

// `in` as a gzip member (RFC 1952) at zlib's best compression; empty on failure.
std::string Gzip(const std::string& in) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&z, static_cast<uLong>(in.size())) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END ? out : std::string();
}

// Whether an Accept-Encoding header allows gzip ("gzip, deflate, br"; "gzip;q=0" refuses it).
bool AcceptsGzip(std::string_view header) {
  std::size_t start = 0;
  while (start < header.size()) {
    std::size_t comma = header.find(',', start);
    if (comma == std::string_view::npos) comma = header.size();
    std::string_view item = header.substr(start, comma - start);
    start = comma + 1;
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    const std::size_t semi = item.find(';');
    std::string_view coding = item.substr(0, semi);
    while (!coding.empty() && coding.back() == ' ') coding.remove_suffix(1);
    if (coding != "gzip" && coding != "x-gzip") continue;
    if (semi == std::string_view::npos) return true;
    std::string q(item.substr(semi + 1));
    q.erase(std::remove(q.begin(), q.end(), ' '), q.end());
    return !(q.rfind("q=0", 0) == 0 && q.find_first_not_of("0.", 2) == std::string::npos);
  }
  return false;
}

Response Plain(int status, const std::string& text) {
  Response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = text;
  return r;
}

}  // namespace

const char* UiFiles::ContentSecurityPolicy() {
  return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
         "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
}

bool UiFiles::IsUiPath(std::string_view path) { return path == "/" || path.rfind("/ui/", 0) == 0; }

std::shared_ptr<const UiFiles::File> UiFiles::Load(const std::string& rel, const std::filesystem::path& file) {
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(file, ec);
  if (ec) return nullptr;
  const auto mtime = std::filesystem::last_write_time(file, ec);
  if (ec) return nullptr;
  {
    std::lock_guard<std::mutex> lk(mu_);
    auto it = files_.find(rel);
    if (it != files_.end() && it->second->size == size && it->second->mtime == mtime) return it->second;
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream body;
  body << in.rdbuf();
  if (!in && !in.eof()) return nullptr;
  auto f = std::make_shared<File>();
  f->size = size;
  f->mtime = mtime;
  f->body = body.str();
  const std::string hash = Sha256Hex(f->body).substr(0, 32);
  f->etag = "\"" + hash + "\"";
  if (Compressible(ContentType(rel))) {
    std::string gz = Gzip(f->body);
    if (!gz.empty() && gz.size() < f->body.size()) {
      f->gzip = std::move(gz);
      f->gzip_etag = "\"" + hash + "-gzip\"";
    }
  }
  std::lock_guard<std::mutex> lk(mu_);
  files_[rel] = f;
  return f;
}

Response UiFiles::Serve(const Request& r, std::string_view path) {
  const std::string rel = path == "/" ? std::string("index.html") : std::string(path.substr(4));
  Response res;
  if (r.method != "GET" && r.method != "HEAD") {
    res = Plain(405, "the web UI's files answer GET and HEAD\n");
    res.headers.push_back({"Allow", "GET, HEAD"});
  } else if (!enabled() || !SafeRelative(rel)) {
    res = Plain(404, "no such file\n");
  } else {
    const std::filesystem::path file = dir_ / rel;
    std::error_code ec;
    const auto status = std::filesystem::status(file, ec);
    if (ec || !std::filesystem::is_regular_file(status)) {
      res = Plain(404, "no such file\n");
    } else {
      auto f = Load(rel, file);
      if (!f) {
        res = Plain(404, "no such file\n");
      } else {
        const bool gzip = !f->gzip.empty() && AcceptsGzip(r.accept_encoding);
        const std::string& etag = gzip ? f->gzip_etag : f->etag;
        res.content_type = ContentType(rel);
        res.body = gzip ? f->gzip : f->body;
        res.headers.push_back({"ETag", etag});
        if (gzip) res.headers.push_back({"Content-Encoding", "gzip"});
        if (!f->gzip.empty()) res.headers.push_back({"Vary", "Accept-Encoding"});
        // Pages are checked again on every load; other files too, cheaply, by their ETag.
        res.headers.push_back({"Cache-Control", "no-cache"});
        if (!r.if_none_match.empty() && r.if_none_match == etag) {
          res.status = 304;
          res.body.clear();
        }
      }
      if (r.method == "HEAD") res.body.clear();
    }
  }
  res.headers.push_back({"Content-Security-Policy", ContentSecurityPolicy()});
  res.headers.push_back({"X-Content-Type-Options", "nosniff"});
  res.headers.push_back({"Referrer-Policy", "no-referrer"});
  res.headers.push_back({"X-Frame-Options", "DENY"});
  return res;
}

}  // namespace casetrail::http
