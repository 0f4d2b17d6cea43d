#include "bpfproc/push/remote_write_client.h"

#include <curl/curl.h>
#include <strings.h>

#include <chrono>
#include <mutex>
#include <string_view>

#include "bpfproc/util/whole_file.h"

namespace bpfproc {
namespace {

constexpr std::size_t kMaxErrorBody = 256;  // enough for a receiver's reason, short enough for a log line

// curl_global_init is not thread-safe and must run once before any handle exists.
void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r' || text.back() == '\n')) text.remove_suffix(1);
  return text;
}

size_t keep_body(char* data, size_t size, size_t count, void* user) {
  auto& body = *static_cast<std::string*>(user);
  if (body.size() < kMaxErrorBody) body.append(data, std::min(size * count, kMaxErrorBody - body.size()));
  return size * count;
}

size_t keep_retry_after(char* data, size_t size, size_t count, void* user) {
  const std::string_view line(data, size * count);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size() && strncasecmp(line.data(), kName.data(), kName.size()) == 0)
    *static_cast<std::string*>(user) = trimmed(line.substr(kName.size()));
  return size * count;
}

// A secret file's content without its final newline, as operators write them.
std::string secret(const std::string& path) {
  auto text = read_whole_file(path);
  return text ? std::string(trimmed(*text)) : std::string();
}

// curl calls it about once a second, and at every transfer step: non-zero aborts the request.
int abort_check(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(user)->load() ? 1 : 0;
}

}  // namespace

RemoteWriteClient::RemoteWriteClient(RemoteWriteEndpoint endpoint) : endpoint_(std::move(endpoint)) {
  global_init();
  curl_ = curl_easy_init();
}

RemoteWriteClient::~RemoteWriteClient() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

PostResult RemoteWriteClient::post(const std::string& body) {
  PostResult result;
  CURL* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) {
    result.error = "curl_easy_init failed";
    return result;
  }
  // The handle keeps its connection across requests; options are set anew each time.
  curl_easy_reset(curl);
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Encoding: snappy");
  headers = curl_slist_append(headers, "Content-Type: application/x-protobuf");
  headers = curl_slist_append(headers, "X-Prometheus-Remote-Write-Version: 0.1.0");
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip before the body
  std::string authorization;
  if (!endpoint_.bearer_token_file.empty()) {
    authorization = "Authorization: Bearer " + secret(endpoint_.bearer_token_file);
    headers = curl_slist_append(headers, authorization.c_str());
  }
  std::vector<std::string> extra;
  for (const auto& [name, value] : endpoint_.headers) {
    extra.push_back(name + ": " + value);
    headers = curl_slist_append(headers, extra.back().c_str());
  }
  std::string password;
  if (!endpoint_.basic_auth_username.empty()) {
    password = secret(endpoint_.basic_auth_password_file);
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERNAME, endpoint_.basic_auth_username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, password.c_str());
  }
  if (!endpoint_.tls_ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, endpoint_.tls_ca_file.c_str());
  if (!endpoint_.tls_cert_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_SSLCERT, endpoint_.tls_cert_file.c_str());
    curl_easy_setopt(curl, CURLOPT_SSLKEY, endpoint_.tls_key_file.c_str());
  }
  std::string answer;
  char error[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl, CURLOPT_URL, endpoint_.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // a sender thread must not get SIGALRM
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(endpoint_.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "bpfproc");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, keep_retry_after);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &result.retry_after);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, abort_check);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &aborted_);

  const auto start = std::chrono::steady_clock::now();
  const CURLcode code = curl_easy_perform(curl);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (code == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
    result.error = std::string(trimmed(answer));
  } else {
    result.error = error[0] != '\0' ? error : curl_easy_strerror(code);
  }
  curl_slist_free_all(headers);
  return result;
}

}  // namespace bpfproc
