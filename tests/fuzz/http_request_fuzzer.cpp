// libFuzzer target: RequestHandler::respond (web/request_handler) on arbitrary method, path,
// Authorization and Accept-Encoding, with basic auth on or off. Input: the fields separated by
// '\n' (method, path, authorization, accept-encoding, mode); a missing field is an absent header.
// The mode's first byte picks auth off, auth on, or auth on with a failed or passed bcrypt check.
// Checks: no crash or sanitizer report, a known status, a deferral only when auth is on and
// nothing was checked yet, and 401 whenever auth is on and the check failed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bpfproc/web/basic_auth.h"
#include "bpfproc/web/request_handler.h"

namespace {

// bcrypt (cost 4) of "s3cret"; the fuzzer never runs bcrypt itself (too slow per input).
const std::string kHash = "$2b$04$dR/J21ClGlkKz9JvCVDz/e4clSR/k3EPkkcjM.YIfKWOzP0UNCCzu";

std::vector<std::string_view> fields_of(std::string_view input) {
  std::vector<std::string_view> fields;
  while (fields.size() < 4) {
    const std::size_t end = input.find('\n');
    if (end == std::string_view::npos) {
      fields.push_back(input);
      return fields;
    }
    fields.push_back(input.substr(0, end));
    input.remove_prefix(end + 1);
  }
  fields.push_back(input);
  return fields;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static bpfproc::RequestHandler handler({.telemetry_path = "/metrics",
                                          .write_metrics = [](std::string& text) { text = "up 1\n"; },
                                          .health_json = [] { return std::string("{}"); }});
  static bpfproc::BasicAuth no_auth({});
  static bpfproc::BasicAuth auth({{"prometheus", kHash}});

  const auto fields = fields_of(std::string_view(reinterpret_cast<const char*>(data), size));
  const auto field = [&](std::size_t index) -> std::optional<std::string_view> {
    if (index >= fields.size()) return std::nullopt;
    return fields[index];
  };
  const bpfproc::HttpRequest request{field(0).value_or(""), field(1).value_or(""), field(2), field(3)};
  const unsigned mode = fields.size() > 4 && !fields[4].empty() ? static_cast<unsigned char>(fields[4][0]) % 4 : 0;
  const bool auth_on = mode != 0;
  const auto check = mode == 2   ? bpfproc::CredentialCheck::kFailed
                     : mode == 3 ? bpfproc::CredentialCheck::kPassed
                                 : bpfproc::CredentialCheck::kNotDone;

  const bpfproc::HttpResponse response = handler.respond(request, auth_on ? auth : no_auth, check);
  if (response.credentials_to_verify) {
    if (!auth_on || check != bpfproc::CredentialCheck::kNotDone || response.status != 0) std::abort();
    if (response.credentials_to_verify->password.find('\0') != std::string::npos) std::abort();
    return 0;
  }
  switch (response.status) {
    case 200: case 401: case 404: case 405: break;
    default: std::abort();
  }
  if (auth_on && check == bpfproc::CredentialCheck::kFailed && response.status != 401) std::abort();
  if (!auth_on && response.status == 401) std::abort();
  return 0;
}
