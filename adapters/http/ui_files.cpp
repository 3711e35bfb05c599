#include "adapters/http/ui_files.hpp"

#include <fstream>
#include <sstream>

#include "adapters/http/api.hpp"
#include "engine/hash.hpp"

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

Response UiFiles::Serve(const Request& r, std::string_view path, std::string_view if_none_match) {
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
      std::ifstream in(file, std::ios::binary);
      std::ostringstream body;
      body << in.rdbuf();
      const std::uintmax_t size = std::filesystem::file_size(file, ec);
      const auto mtime = std::filesystem::last_write_time(file, ec);
      std::string etag;
      {
        std::lock_guard<std::mutex> lk(mu_);
        auto it = tags_.find(rel);
        if (it != tags_.end() && it->second.size == size && it->second.mtime == mtime) etag = it->second.etag;
      }
      res.body = body.str();
      if (etag.empty()) {
        etag = "\"" + Sha256Hex(res.body).substr(0, 32) + "\"";
        std::lock_guard<std::mutex> lk(mu_);
        tags_[rel] = Tag{size, mtime, etag};
      }
      res.content_type = ContentType(rel);
      res.headers.push_back({"ETag", etag});
      // Pages are checked again on every load; other files too, cheaply, by their ETag.
      res.headers.push_back({"Cache-Control", "no-cache"});
      if (!if_none_match.empty() && if_none_match == etag) {
        res.status = 304;
        res.body.clear();
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
