// The web UI's static files (adapters/http/ui_files.hpp): served at / and /ui/ with a strict
// Content-Security-Policy and ETags; nothing outside the directory, and no hidden file, is read.
#include "adapters/http/ui_files.hpp"

#include <catch2/catch.hpp>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "adapters/http/api.hpp"
#include "engine/event_log.hpp"

using namespace casetrail;
using namespace casetrail::http;

namespace {

std::string Header(const Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

struct Fixture {
  std::filesystem::path root = std::filesystem::temp_directory_path() /
                               ("casetrail-ui-" + std::to_string(::getpid()) + "-" +
                                std::to_string(reinterpret_cast<std::uintptr_t>(this)));
  std::unique_ptr<EventLog> log = OpenMemoryEventLog();
  Tokens tokens;
  std::unique_ptr<Api> api;
  Fixture() {
    std::filesystem::create_directories(root / "ui" / "js");
    std::ofstream(root / "ui" / "index.html") << "<!doctype html><title>casetrail</title>";
    std::ofstream(root / "ui" / "js" / "app.js") << "export const x = 1;\n";
    std::ofstream(root / "ui" / ".secret") << "hidden";
    std::ofstream(root / "outside.txt") << "not for the web";
    ApiOptions o;
    o.ui_dir = root / "ui";
    api = std::make_unique<Api>(*log, workflows::RuleBook::Default(), tokens, o);
  }
  ~Fixture() { std::filesystem::remove_all(root); }
  Response Get(const std::string& target, const std::string& method = "GET", const std::string& etag = "") {
    Request r;
    r.method = method;
    r.target = target;
    r.if_none_match = etag;
    return api->Handle(r);
  }
};

}  // namespace

TEST_CASE("the web UI's files are served at / and /ui/ without a token, with a strict CSP and an ETag",
          "[adapters][http][ui]") {
  Fixture f;
  const Response index = f.Get("/");
  REQUIRE(index.status == 200);
  CHECK(index.body == "<!doctype html><title>casetrail</title>");
  CHECK(index.content_type == "text/html; charset=utf-8");
  const std::string csp = Header(index, "Content-Security-Policy");
  CHECK(csp.find("script-src 'self'") != std::string::npos);
  CHECK(csp.find("unsafe-inline") == std::string::npos);
  CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
  CHECK(Header(index, "X-Content-Type-Options") == "nosniff");
  const Response js = f.Get("/ui/js/app.js?v=2");
  REQUIRE(js.status == 200);
  CHECK(js.content_type == "text/javascript; charset=utf-8");
  // The same ETag again: 304 with no body; another one: the file.
  const std::string etag = Header(js, "ETag");
  REQUIRE(etag.size() == 34);
  const Response again = f.Get("/ui/js/app.js", "GET", etag);
  CHECK(again.status == 304);
  CHECK(again.body.empty());
  CHECK(f.Get("/ui/js/app.js", "GET", "\"0\"").status == 200);
  // A changed file has a new ETag.
  std::ofstream(f.root / "ui" / "js" / "app.js") << "export const x = 22;\n";
  CHECK(Header(f.Get("/ui/js/app.js"), "ETag") != etag);
  // The API is untouched: its routes still need a token.
  CHECK(f.Get("/v1/plo").status == 401);
}

TEST_CASE("nothing outside the UI's directory, and no hidden file, is served", "[adapters][http][ui][security]") {
  Fixture f;
  for (const char* target : {"/ui/../outside.txt", "/ui/..%2Foutside.txt", "/ui/.secret", "/ui/js/../../outside.txt",
                             "/ui//index.html", "/ui/", "/ui/js", "/ui/missing.css", "/ui/a%00b", "/ui/a\\b"}) {
    INFO(target);
    const Response r = f.Get(target);
    CHECK(r.status == 404);
    CHECK(r.body.find("not for the web") == std::string::npos);
    CHECK(r.body.find("hidden") == std::string::npos);
    CHECK(!Header(r, "Content-Security-Policy").empty());
  }
  const Response post = f.Get("/", "POST");
  CHECK(post.status == 405);
  CHECK(Header(post, "Allow") == "GET, HEAD");
  // Without a UI directory, / is the API's (a token is needed).
  Tokens tokens;
  Api without(*f.log, workflows::RuleBook::Default(), tokens);
  Request r;
  r.method = "GET";
  r.target = "/";
  CHECK(without.Handle(r).status == 401);
}

namespace {

std::string Gunzip(const std::string& in) {
  z_stream z{};
  REQUIRE(inflateInit2(&z, 15 + 16) == Z_OK);
  std::string out(1 << 16, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&z, Z_FINISH);
  out.resize(z.total_out);
  inflateEnd(&z);
  REQUIRE(rc == Z_STREAM_END);
  return out;
}

}  // namespace

TEST_CASE("text files go gzip-compressed to a client that accepts it, each encoding with its own ETag",
          "[adapters][http][ui]") {
  Fixture f;
  std::string css;
  for (int i = 0; i < 200; ++i) css += ".govuk-body-" + std::to_string(i) + " { margin: 0 0 20px; }\n";
  std::ofstream(f.root / "ui" / "casetrail.css") << css;
  std::ofstream(f.root / "ui" / "logo.png") << std::string(4096, 'x');
  auto get = [&](const std::string& target, const std::string& accept, const std::string& etag = "") {
    Request r;
    r.method = "GET";
    r.target = target;
    r.accept_encoding = accept;
    r.if_none_match = etag;
    return f.api->Handle(r);
  };
  const Response plain = get("/ui/casetrail.css", "");
  REQUIRE(plain.status == 200);
  CHECK(plain.body == css);
  CHECK(Header(plain, "Content-Encoding").empty());
  CHECK(Header(plain, "Vary") == "Accept-Encoding");
  const Response gz = get("/ui/casetrail.css", "br, gzip, deflate");
  REQUIRE(gz.status == 200);
  CHECK(Header(gz, "Content-Encoding") == "gzip");
  CHECK(gz.body.size() < css.size() / 4);
  CHECK(Gunzip(gz.body) == css);
  CHECK(gz.content_type == "text/css; charset=utf-8");
  // A cache holding one encoding must not answer for the other: the ETags differ.
  CHECK(Header(gz, "ETag") != Header(plain, "ETag"));
  CHECK(get("/ui/casetrail.css", "gzip", Header(gz, "ETag")).status == 304);
  CHECK(get("/ui/casetrail.css", "", Header(gz, "ETag")).status == 200);
  // gzip refused with q=0, and files that are not text, go as they are.
  CHECK(Header(get("/ui/casetrail.css", "gzip;q=0, identity"), "Content-Encoding").empty());
  CHECK(Header(get("/ui/casetrail.css", "gzip; q=0.5"), "Content-Encoding") == "gzip");
  const Response png = get("/ui/logo.png", "gzip");
  CHECK(Header(png, "Content-Encoding").empty());
  CHECK(png.body.size() == 4096);
  // A changed file is read again, compressed again.
  std::ofstream(f.root / "ui" / "casetrail.css") << css << css;
  CHECK(Gunzip(get("/ui/casetrail.css", "gzip").body) == css + css);
}
