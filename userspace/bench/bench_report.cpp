#include "bpfproc/bench/bench_report.h"

#include <algorithm>

#include <spdlog/fmt/fmt.h>

namespace bpfproc {
namespace {

// The thresholds of --check, as documented in the README ("Benchmark mode").
// Run-queue latency on may cost at most one point more than the floor measured in the same run:
// the floor (any program on sched_switch) moves with the host, the program's own work should not.
constexpr double kMaxOverheadDefaultCollectors = 0.005;
constexpr double kMaxOverheadRunqueueLatencyAboveFloor = 0.01;
constexpr double kMaxCollectionCpuSeconds = 0.008;
constexpr std::uint64_t kCollectionCheckProcesses = 10'000;
constexpr double kMinChurnCaptured = 0.999;

constexpr double kMebibyte = 1024.0 * 1024.0;

const SwitchOverhead* find_overhead(const BenchReport& report, const std::string& key) {
  for (const SwitchOverhead& overhead : report.switch_overheads)
    if (overhead.key == key) return &overhead;
  return nullptr;
}

// The collection check is "at 10k processes": the smallest measured count of at least 10,000.
const CollectionCost* collection_for_check(const BenchReport& report) {
  const CollectionCost* chosen = nullptr;
  for (const CollectionCost& cost : report.collection)
    if (cost.processes >= kCollectionCheckProcesses && (chosen == nullptr || cost.processes < chosen->processes))
      chosen = &cost;
  return chosen;
}

std::string milliseconds(double seconds) { return fmt::format("{:.2f} ms", seconds * 1e3); }
std::string signed_percent(double fraction) { return fmt::format("{:+.2f}%", fraction * 100); }

std::string check_value(const Check& check, double value) {
  return check.unit == "%" ? fmt::format("{:.2f}%", value * 100) : milliseconds(value);
}

// Left-aligned columns, two spaces apart; trailing blanks trimmed.
class Table {
 public:
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string render(const std::string& indent) const {
    std::vector<std::size_t> widths;
    for (const auto& row : rows_) {
      widths.resize(std::max(widths.size(), row.size()));
      for (std::size_t column = 0; column < row.size(); ++column)
        widths[column] = std::max(widths[column], row[column].size());
    }
    std::string text;
    for (const auto& row : rows_) {
      std::string line = indent;
      for (std::size_t column = 0; column < row.size(); ++column)
        line += fmt::format("{:<{}}", row[column], column + 1 < row.size() ? widths[column] + 2 : 0);
      while (!line.empty() && line.back() == ' ') line.pop_back();
      text += line + "\n";
    }
    return text;
  }

 private:
  std::vector<std::vector<std::string>> rows_;
};

nlohmann::json program_json(const ProgramStats& program) {
  return {{"name", program.name},
          {"runs", program.runs},
          {"run_time_ns", program.run_time_ns},
          {"ns_per_run", program.runs == 0 ? 0.0 : static_cast<double>(program.run_time_ns) / static_cast<double>(program.runs)}};
}

}  // namespace

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

double PingPongPair::ratio() const {
  const double detached_ns = detached.nanoseconds_per_switch();
  return detached_ns > 0 ? attached.nanoseconds_per_switch() / detached_ns : 0;
}

double SwitchOverhead::attached_median_ns() const {
  std::vector<double> values;
  for (const PingPongPair& pair : pairs) values.push_back(pair.attached.nanoseconds_per_switch());
  return median(values);
}

double SwitchOverhead::detached_median_ns() const {
  std::vector<double> values;
  for (const PingPongPair& pair : pairs) values.push_back(pair.detached.nanoseconds_per_switch());
  return median(values);
}

double SwitchOverhead::overhead() const {
  std::vector<double> ratios;
  for (const PingPongPair& pair : pairs) ratios.push_back(pair.ratio());
  return ratios.empty() ? 0 : median(ratios) - 1;
}

double SwitchOverhead::overhead_of_medians() const {
  const double detached = detached_median_ns();
  return detached > 0 ? attached_median_ns() / detached - 1 : 0;
}

std::vector<Check> evaluate_checks(const BenchReport& report) {
  std::vector<Check> checks;
  auto add = [&checks](std::string name, std::optional<double> value, double limit, bool at_most, std::string unit) {
    Check check{std::move(name), value.has_value(), value.value_or(0), limit, at_most, std::move(unit), false};
    check.pass = check.measured && (at_most ? check.value <= limit : check.value >= limit);
    checks.push_back(std::move(check));
  };
  auto overhead_of = [&report](const std::string& key) -> std::optional<double> {
    const SwitchOverhead* overhead = find_overhead(report, key);
    if (overhead == nullptr || overhead->pairs.empty()) return std::nullopt;
    return overhead->overhead();
  };
  add("context-switch overhead, default collectors", overhead_of("default_collectors"),
      kMaxOverheadDefaultCollectors, true, "%");
  const std::optional<double> latency_on = overhead_of("runqueue_latency_on");
  const std::optional<double> floor = overhead_of("floor");
  add("context-switch overhead, run-queue latency on, above the floor",
      latency_on && floor ? std::optional<double>(*latency_on - *floor) : std::nullopt,
      kMaxOverheadRunqueueLatencyAboveFloor, true, "%");
  const CollectionCost* collection = collection_for_check(report);
  add(collection != nullptr ? fmt::format("collection CPU at {} processes", collection->processes)
                            : fmt::format("collection CPU at {} processes", kCollectionCheckProcesses),
      collection != nullptr ? std::optional<double>(collection->collection_cpu_seconds) : std::nullopt,
      kMaxCollectionCpuSeconds, true, "ms");
  add("churn capture", report.churn ? std::optional<double>(report.churn->captured()) : std::nullopt,
      kMinChurnCaptured, false, "%");
  return checks;
}

std::string missed_checks(const std::vector<Check>& checks) {
  std::string missed;
  for (const Check& check : checks) {
    if (check.pass) continue;
    missed += fmt::format("{}{} {} (limit {} {})", missed.empty() ? "" : "; ", check.name,
                          check.measured ? check_value(check, check.value) : "not measured",
                          check.at_most ? "<=" : ">=", check_value(check, check.limit));
  }
  return missed;
}

nlohmann::json report_json(const BenchReport& report, const std::vector<Check>& checks) {
  nlohmann::json json;
  json["host"] = {{"kernel", report.kernel}, {"cpus", report.cpus}};

  nlohmann::json& switches = json["context_switch"];
  switches["cpu"] = report.pingpong_cpu;
  switches["round_trips"] = report.round_trips;
  switches["overhead_estimator"] = "median of per-pair ratios attached/detached, minus 1";
  for (const SwitchOverhead& overhead : report.switch_overheads) {
    nlohmann::json entry{{"description", overhead.description},
                         {"attached_ns_per_switch", overhead.attached_median_ns()},
                         {"detached_ns_per_switch", overhead.detached_median_ns()},
                         {"added_ns_per_switch", overhead.attached_median_ns() - overhead.detached_median_ns()},
                         {"overhead", overhead.overhead()},
                         {"overhead_of_medians", overhead.overhead_of_medians()},
                         {"statistics_on_elsewhere", overhead.statistics_on_elsewhere},
                         {"pairs", nlohmann::json::array()},
                         {"programs", nlohmann::json::array()}};
    for (const PingPongPair& pair : overhead.pairs)
      entry["pairs"].push_back({{"attached_ns_per_switch", pair.attached.nanoseconds_per_switch()},
                                {"detached_ns_per_switch", pair.detached.nanoseconds_per_switch()},
                                {"ratio", pair.ratio()},
                                {"attached_context_switches", pair.attached.context_switches},
                                {"detached_context_switches", pair.detached.context_switches}});
    for (const ProgramStats& program : overhead.programs) entry["programs"].push_back(program_json(program));
    switches[overhead.key] = std::move(entry);
  }

  json["collection"] = nlohmann::json::array();
  for (const CollectionCost& cost : report.collection)
    json["collection"].push_back({{"processes", cost.processes},
                                  {"tracked_processes", cost.tracked_processes},
                                  {"scrapes", cost.scrapes},
                                  {"collection_cpu_seconds", cost.collection_cpu_seconds},
                                  {"collection_wall_seconds", cost.collection_wall_seconds},
                                  {"daemon_cpu_per_scrape_seconds", cost.daemon_cpu_per_scrape_seconds},
                                  {"scrape_latency_seconds", cost.scrape_median_seconds()},
                                  {"scrape_seconds", cost.scrape_seconds},
                                  {"memory_refresh_seconds", cost.memory_refresh_seconds},
                                  {"memory_refresh_cpu_seconds", cost.memory_refresh_cpu_seconds},
                                  {"resident_bytes", cost.resident_bytes}});

  if (report.churn) {
    const ChurnCapture& churn = *report.churn;
    json["churn"] = {{"processes", churn.processes},
                     {"burn_milliseconds", churn.burn_milliseconds},
                     {"wall_seconds", churn.wall_seconds},
                     {"rusage_cpu_seconds", churn.rusage_cpu_seconds},
                     {"exported_cpu_seconds", churn.exported_cpu_seconds},
                     {"exported_exits", churn.exported_exits},
                     {"captured", churn.captured()},
                     {"events_lost", churn.events_lost}};
  }

  json["checks"] = nlohmann::json::array();
  bool all_pass = true;
  for (const Check& check : checks) {
    json["checks"].push_back({{"name", check.name},
                              {"measured", check.measured},
                              {"value", check.value},
                              {"limit", check.limit},
                              {"comparison", check.at_most ? "<=" : ">="},
                              {"pass", check.pass}});
    all_pass = all_pass && check.pass;
  }
  json["checks_pass"] = all_pass;
  return json;
}

std::string report_table(const BenchReport& report, const std::vector<Check>& checks) {
  std::string text = fmt::format("bpfproc bench: kernel {}, {} CPUs\n", report.kernel, report.cpus);

  if (!report.switch_overheads.empty()) {
    const std::size_t pairs = report.switch_overheads.front().pairs.size();
    text += fmt::format(
        "\nContext-switch overhead: pinned pipe ping-pong on CPU {}, {} round trips per run, {} A/B pairs\n"
        "(ns per switch, medians; overhead = median over pairs of attached/detached - 1)\n",
        report.pingpong_cpu, report.round_trips, pairs);
    Table table;
    table.add({"programs attached", "attached", "detached", "added", "overhead", "ratio of medians"});
    for (const SwitchOverhead& overhead : report.switch_overheads)
      table.add({overhead.description, fmt::format("{:.1f} ns", overhead.attached_median_ns()),
                 fmt::format("{:.1f} ns", overhead.detached_median_ns()),
                 fmt::format("{:+.1f} ns", overhead.attached_median_ns() - overhead.detached_median_ns()),
                 signed_percent(overhead.overhead()), signed_percent(overhead.overhead_of_medians())});
    text += table.render("  ");
    for (const SwitchOverhead& overhead : report.switch_overheads)
      if (overhead.statistics_on_elsewhere)
        text += fmt::format("  note: {}: another process kept BPF run-time statistics on during attached runs,\n"
                            "        which then paid for them too (~20 ns per program run)\n",
                            overhead.description);

    text += "\nBPF programs: time per run, from the kernel's run-time statistics (BPF_ENABLE_STATS)\n";
    Table programs;
    programs.add({"programs attached", "program", "runs", "ns per run"});
    for (const SwitchOverhead& overhead : report.switch_overheads) {
      bool first = true;
      for (const ProgramStats& program : overhead.programs) {
        const double per_run =
            program.runs == 0 ? 0.0 : static_cast<double>(program.run_time_ns) / static_cast<double>(program.runs);
        programs.add({first ? overhead.description : "", program.name, std::to_string(program.runs),
                      program.runs == 0 ? "-" : fmt::format("{:.1f}", per_run)});
        first = false;
      }
    }
    text += programs.render("  ");
  }

  if (!report.collection.empty()) {
    text += fmt::format(
        "\nCollection cost against process count ({} scrapes over HTTP after one warm-up; per scrape)\n",
        report.collection.front().scrapes);
    Table table;
    table.add({"processes", "tracked", "collection CPU", "collection wall", "daemon CPU", "scrape latency",
               "memory pass wall", "memory pass CPU", "RSS"});
    for (const CollectionCost& cost : report.collection)
      table.add({std::to_string(cost.processes), std::to_string(cost.tracked_processes),
                 milliseconds(cost.collection_cpu_seconds), milliseconds(cost.collection_wall_seconds),
                 milliseconds(cost.daemon_cpu_per_scrape_seconds), milliseconds(cost.scrape_median_seconds()),
                 milliseconds(cost.memory_refresh_seconds), milliseconds(cost.memory_refresh_cpu_seconds),
                 fmt::format("{:.1f} MiB", static_cast<double>(cost.resident_bytes) / kMebibyte)});
    text += table.render("  ");
  }

  if (report.churn) {
    const ChurnCapture& churn = *report.churn;
    text += fmt::format("\nChurn capture: {} processes burning {} ms of CPU each, one after another, in {:.1f} s\n",
                        churn.processes, churn.burn_milliseconds, churn.wall_seconds);
    std::string lost;
    for (const auto& [source, count] : churn.events_lost)
      lost += fmt::format("{}{} {:.0f}", lost.empty() ? "" : ", ", source, count);
    Table table;
    table.add({"CPU used (wait4: churn and its children)", fmt::format("{:.4f} s", churn.rusage_cpu_seconds)});
    table.add({"CPU exported by bpfproc", fmt::format("{:.4f} s", churn.exported_cpu_seconds)});
    table.add({"captured", fmt::format("{:.3f}%", churn.captured() * 100)});
    table.add({"exits exported", fmt::format("{:.0f} (expected {}: the burns and churn)", churn.exported_exits,
                                             churn.processes + 1)});
    table.add({"events lost", lost.empty() ? "-" : lost});
    text += table.render("  ");
  }

  text += "\nThresholds (--check makes a miss fail the run)\n";
  Table table;
  for (const Check& check : checks)
    table.add({check.name, check.measured ? check_value(check, check.value) : "not measured",
               fmt::format("{} {}", check.at_most ? "<=" : ">=", check_value(check, check.limit)),
               check.pass ? "PASS" : "MISS"});
  text += table.render("  ");
  return text;
}

}  // namespace bpfproc
