// The `http` source type: a GET on a local URL with libcurl, bounded by the source's timeout and
// output limit. The config allows loopback hosts only; redirects are not followed, so that a
// local service cannot send the daemon elsewhere.
#include <curl/curl.h>

#include <memory>
#include <mutex>

#include "bpfproc/collectors/sources/source_reader.h"

namespace bpfproc {
namespace {

struct Body {
  std::string text;
  std::size_t limit = 0;
  bool truncated = false;
};

std::size_t append(char* data, std::size_t size, std::size_t count, void* user) {
  auto* body = static_cast<Body*>(user);
  const std::size_t bytes = size * count;
  if (body->text.size() + bytes > body->limit) {
    body->truncated = true;
    return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
  }
  body->text.append(data, bytes);
  return bytes;
}

}  // namespace

Result<std::string> read_http_source(const SourceDefinition& source) {
  // curl_global_init is not thread-safe before libcurl 7.84; once, before any handle.
  static std::once_flag initialized;
  std::call_once(initialized, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  const std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return Error{"cannot create a libcurl handle", source.url};
  Body body{{}, source.output_limit, false};
  char error_text[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl.get(), CURLOPT_URL, source.url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http");
  curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for timeouts: other threads run
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(source.timeout.count()));
  curl_easy_setopt(curl.get(), CURLOPT_NOPROXY, "*");  // a proxy from the environment must not see it
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(curl.get(), CURLOPT_USERAGENT, "bpfproc");
  const CURLcode result = curl_easy_perform(curl.get());
  if (body.truncated)
    return Error{"body beyond " + std::to_string(source.output_limit) + " bytes (output_limit)", source.url};
  if (result != CURLE_OK)
    return Error{error_text[0] != '\0' ? error_text : curl_easy_strerror(result), source.url};
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status > 299) return Error{"HTTP status " + std::to_string(status), source.url};
  return std::move(body.text);
}

}  // namespace bpfproc
