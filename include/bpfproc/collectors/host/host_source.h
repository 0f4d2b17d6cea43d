#pragma once
// What the host collectors (--collector.host.*, node_exporter's names) share: reading a source
// under --path.procfs with a warning given once when it is missing or unreadable (a kernel
// without PSI has no /proc/pressure), not at every collection; families added to the snapshot;
// and their definition (off by default, in the group "host").
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "bpfproc/collectors/collector.h"
#include "bpfproc/procfs/procfs.h"
#include "bpfproc/snapshot/snapshot.h"
#include "bpfproc/util/result.h"

namespace bpfproc {

// Appends an empty family to the snapshot and returns it; the reference is only good until the
// next family is added (the vector may move). A collector that fills several families at once
// builds them apart (host_family) and appends them at the end (add_host_families).
HostFamily& add_host_family(ExporterSnapshot& snapshot, std::string name, std::string help, HostFamily::Type type);
inline HostFamily host_family(std::string name, std::string help, HostFamily::Type type) {
  return HostFamily{std::move(name), std::move(help), type, {}};
}
void add_host_families(ExporterSnapshot& snapshot, std::vector<HostFamily> families);

// Logs a collector's failing source once, and once more when it works again.
class SourceWarning {
 public:
  explicit SourceWarning(std::string collector) : collector_(std::move(collector)) {}
  // Returns 1, the error count of the collection that met it.
  std::uint64_t failed(const Error& error);
  void succeeded();

 private:
  std::string collector_;
  bool warned_ = false;
};

// A host collector that reads files under --path.procfs.
class HostSourceCollector : public Collector {
 protected:
  HostSourceCollector(const CollectorOptions& options, std::string name)
      : procfs_(options.procfs_root), warning_(std::move(name)) {}

  // PATH under the procfs root, parsed by PARSE (text -> Result<T>); nullopt after an error,
  // which is warned about once and counted in `errors`.
  template <typename Parse>
  auto read(std::string_view path, Parse parse, std::uint64_t& errors)
      -> std::optional<std::remove_reference_t<decltype(*parse(std::string_view()))>> {
    auto text = procfs_.read(path);
    if (!text) {
      errors += warning_.failed(annotated(text.error()));
      return std::nullopt;
    }
    auto parsed = parse(*text);
    if (!parsed) {
      errors += warning_.failed(parsed.error());
      return std::nullopt;
    }
    return std::move(*parsed);
  }
  // Once every source of a collection was read.
  void succeeded() { warning_.succeeded(); }
  // What a missing source means, for the log line; the error as it is by default.
  virtual Error annotated(Error error) const { return error; }

  ProcFs procfs_;

 private:
  SourceWarning warning_;
};

// The definition of host collector NAME: off by default, in the group "host", created from the
// options as CollectorType(options).
template <typename CollectorType>
CollectorDefinition host_collector_definition(std::string name, std::string help) {
  return {std::move(name), std::move(help), false, false,
          [](CollectorEnvironment& environment) -> Result<std::unique_ptr<Collector>> {
            return std::unique_ptr<Collector>(std::make_unique<CollectorType>(environment.options));
          },
          "host"};
}

}  // namespace bpfproc
