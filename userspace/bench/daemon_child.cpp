#include "bpfproc/bench/daemon_child.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

#include "bpfproc/util/file_descriptor.h"
#include "bpfproc/util/interruptible_wait.h"
#include "bpfproc/procfs/proc_status.h"
#include "bpfproc/procfs/procfs.h"

namespace bpfproc {
namespace {

// A scrape of 10,000 processes takes tens of milliseconds; a minute means the daemon is stuck.
constexpr std::chrono::seconds kRequestTimeout{60};
// Loading the programs and the first collection take well under a second on an idle host.
constexpr std::chrono::seconds kStartTimeout{30};
// Another process may take the free port between our probe and the daemon's bind: try again.
constexpr int kStartAttempts = 3;

// A port nothing listens on at 127.0.0.1, as the kernel picks it.
Result<std::uint16_t> free_loopback_port() {
  const FileDescriptor probe(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!probe) return Error{"cannot create a socket", "free port", errno};
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  const bool ok = bind(probe.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0 &&
                  getsockname(probe.get(), reinterpret_cast<sockaddr*>(&address), &length) == 0;
  if (!ok) return Error{"cannot find a free loopback port", "free port", errno};
  return ntohs(address.sin_port);
}

}  // namespace

Result<DaemonChild> DaemonChild::start(const std::string& binary, const std::vector<std::string>& arguments) {
  Error last{"did not start", binary};
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    auto port = free_loopback_port();
    if (!port) return port.error();
    std::vector<std::string> argv{binary, "--web.listen-address", "127.0.0.1:" + std::to_string(*port)};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    auto process = ChildProcess::spawn(argv, {});
    if (!process) return process.error();
    DaemonChild daemon(std::move(*process), *port);

    const Deadline deadline = deadline_in(kStartTimeout);
    while (daemon.process_.running() && std::chrono::steady_clock::now() < deadline) {
      auto response = http_get(*port, "/health", std::chrono::seconds(2));
      if (response && response->status == 200) return daemon;
      if (!sleep_unless_stopped(std::chrono::milliseconds(50))) return Error{"interrupted", "bpfproc daemon"};
    }
    if (daemon.process_.running()) return Error{"did not answer /health in time", binary};
    last = Error{"exited at start (its error is above)", binary};
  }
  return last;
}

Result<HttpReply> DaemonChild::get(const std::string& path) {
  auto response = http_get(port_, path, kRequestTimeout);
  if (!response) return response.error();
  if (response->status != 200)
    return Error{"HTTP status " + std::to_string(response->status), "GET " + path + " from the bpfproc daemon"};
  return response;
}

Result<Scrape> DaemonChild::scrape() {
  auto response = get("/metrics");
  if (!response) return response.error();
  return Scrape{parse_prometheus_text(response->body), response->seconds};
}

Result<nlohmann::json> DaemonChild::health() {
  auto response = get("/health");
  if (!response) return response.error();
  auto json = nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Error{"not JSON", "/health of the bpfproc daemon"};
  return json;
}

Result<double> DaemonChild::cpu_seconds() const {
  clockid_t clock;
  if (int error = clock_getcpuclockid(pid(), &clock)) return Error{"no CPU clock", "bpfproc daemon", error};
  timespec now{};
  if (clock_gettime(clock, &now) != 0) return Error{"cannot read the CPU clock", "bpfproc daemon", errno};
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

Result<std::uint64_t> DaemonChild::resident_bytes() const {
  auto text = ProcFs("/proc").read(std::to_string(pid()) + "/status");
  if (!text) return text.error();
  auto status = parse_proc_status(*text);
  if (!status) return status.error();
  return status->vm_rss_bytes;
}

}  // namespace bpfproc
