#pragma once
// The real bpfproc daemon, run by `bpfproc bench` as a child on a free loopback port, and read the
// way an operator's Prometheus reads it: over HTTP.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bpfproc/util/child_process.h"
#include "bpfproc/util/prometheus_text.h"
#include "bpfproc/util/result.h"
#include "bpfproc/bench/scrape_client.h"

namespace bpfproc {

struct Scrape {
  std::vector<Sample> samples;
  double seconds = 0;  // wall time of the GET
};

class DaemonChild {
 public:
  // Starts `binary` with `arguments` plus --web.listen-address on a free loopback port, and
  // waits until /health answers.
  static Result<DaemonChild> start(const std::string& binary, const std::vector<std::string>& arguments);

  pid_t pid() const { return process_.pid(); }
  std::uint16_t port() const { return port_; }
  Result<Scrape> scrape();
  Result<nlohmann::json> health();
  // The daemon's whole-process CPU clock: exact, every thread, including exited ones.
  Result<double> cpu_seconds() const;
  Result<std::uint64_t> resident_bytes() const;  // VmRSS
  void stop() { process_.stop(); }

 private:
  DaemonChild(ChildProcess process, std::uint16_t port) : process_(std::move(process)), port_(port) {}
  Result<HttpReply> get(const std::string& path);

  ChildProcess process_;
  std::uint16_t port_;
};

}  // namespace bpfproc
