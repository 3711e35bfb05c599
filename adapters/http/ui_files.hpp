// The web UI's static files (issue 23), served by the API's server from one directory: `/` is
// its index.html, `/ui/<path>` any other file under it. No token is needed for them (a page holds
// no data; it calls the API with the session cookie, sessions.hpp).
//
// Guarantees: only GET and HEAD; a path is answered only if every segment is made of letters,
// digits, '.', '_' and '-' and does not start with '.', so nothing outside the directory (and no
// hidden file) is ever read; every answer carries a strict Content-Security-Policy (no inline
// script or style, nothing from another origin, no framing), nosniff and no-referrer; files have
// a strong ETag (SHA-256 of the content), and a matching If-None-Match answers 304. Text files
// (HTML, CSS, JavaScript, JSON, SVG) go gzip-compressed to a client whose Accept-Encoding allows
// it, with their own ETag and `Vary: Accept-Encoding`.
//
// Thread-safety: Serve may be called from many threads at once. Files are read once and kept in
// memory with their compressed form, and read again when their size or modification time
// changes (a file is checked with one stat per request).
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace casetrail::http {

struct Request;
struct Response;

class UiFiles {
 public:
  // An empty directory: no UI (every path is left to the API).
  explicit UiFiles(std::filesystem::path dir = {}) : dir_(std::move(dir)) {}
  bool enabled() const { return !dir_.empty(); }
  // Whether `path` (the target before '?') is the UI's: "/" or "/ui/...".
  static bool IsUiPath(std::string_view path);
  // The answer for a UI path (404 for a missing or refused file, 405 for another method).
  Response Serve(const Request& r, std::string_view path);

  // The headers every UI answer carries.
  static const char* ContentSecurityPolicy();

 private:
  struct File {
    std::uintmax_t size = 0;
    std::filesystem::file_time_type mtime{};
    std::string body, etag;
    std::string gzip, gzip_etag;  // empty: not compressed (not text, or no smaller)
  };
  std::shared_ptr<const File> Load(const std::string& rel, const std::filesystem::path& file);

  std::filesystem::path dir_;
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const File>> files_;
};

}  // namespace casetrail::http
