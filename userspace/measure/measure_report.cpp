#include "bpfproc/measure/measure_report.h"

#include <signal.h>

#include <cstdio>
#include <cstring>

#include "bpfproc/accounting/latency_quantile.h"

namespace bpfproc {
namespace {

using Json = nlohmann::ordered_json;

double seconds(std::uint64_t nanoseconds) { return static_cast<double>(nanoseconds) / 1e9; }

std::string printf_string(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof(text), format, value);
  return text;
}

// A wait: nanoseconds to seconds, in the unit that keeps three significant digits readable.
std::string format_duration(std::uint64_t nanoseconds) {
  const double value = static_cast<double>(nanoseconds);
  if (nanoseconds < 1'000) return std::to_string(nanoseconds) + " ns";
  if (nanoseconds < 1'000'000) return printf_string("%.1f µs", value / 1e3);
  if (nanoseconds < 1'000'000'000) return printf_string("%.2f ms", value / 1e6);
  return printf_string("%.3f s", value / 1e9);
}

std::string format_bytes(std::uint64_t bytes) {
  const double value = static_cast<double>(bytes);
  if (bytes < 1024) return std::to_string(bytes) + " B";
  if (bytes < 1024 * 1024) return printf_string("%.1f KiB", value / 1024);
  if (bytes < 1024ull * 1024 * 1024) return printf_string("%.1f MiB", value / (1024.0 * 1024));
  return printf_string("%.2f GiB", value / (1024.0 * 1024 * 1024));
}

// The command as a shell would need it typed: arguments with anything special in single quotes.
std::string quote_command(const std::vector<std::string>& command) {
  std::string line;
  for (const std::string& argument : command) {
    if (!line.empty()) line += ' ';
    const bool plain = !argument.empty() && argument.find_first_not_of(
                                                 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                 "0123456789-_./=:,+@%") == std::string::npos;
    if (plain) {
      line += argument;
      continue;
    }
    line += '\'';
    for (char character : argument) line += character == '\'' ? std::string("'\\''") : std::string(1, character);
    line += '\'';
  }
  return line;
}

void add_line(std::string& text, const char* label, const std::string& value) {
  char head[32];
  std::snprintf(head, sizeof(head), "  %-20s ", label);
  text += head + value + "\n";
}

}  // namespace

nlohmann::ordered_json measure_report_json(const MeasureReport& report) {
  const Counters& counters = report.totals.counters;
  const std::uint64_t max_ns = report.totals.runqueue_latency_max_ns;
  Json latency = Json::object();
  for (const LatencyQuantile& quantile : kLatencyQuantiles)
    latency[quantile.key] = seconds(latency_quantile_upper_bound_ns(counters.runqueue_latency, quantile.quantile, max_ns));
  latency["max"] = seconds(max_ns);

  Json json;
  json["command"] = report.command;
  json["exit_code"] = report.exit_code;
  json["signal"] = report.signal == 0 ? Json(nullptr) : Json(report.signal);
  json["wall_seconds"] = report.wall_seconds;
  json["cpu_seconds"] = seconds(counters.runtime_ns);
  json["user_seconds"] = seconds(counters.user_ns);
  json["system_seconds"] = seconds(counters.system_ns);
  json["processes"] = report.totals.processes;
  json["threads"] = report.totals.threads;
  json["still_running"] = report.totals.still_running;
  json["runqueue_wait_seconds"] = seconds(counters.run_delay_ns);
  json["runqueue_waits"] = counters.runqueue_latency.count();
  json["runqueue_latency_seconds"] = latency;
  json["voluntary_switches"] = counters.voluntary_switches;
  json["involuntary_switches"] = counters.involuntary_switches;
  json["migrations"] = counters.migrations;
  // null, not 0, when the command ended before the first sample: nothing was measured.
  const bool sampled = report.peak_memory.samples > 0;
  json["peak_rss_bytes"] = sampled ? Json(report.peak_memory.rss) : Json(nullptr);
  json["peak_pss_bytes"] = sampled ? Json(report.peak_memory.pss) : Json(nullptr);
  json["peak_uss_bytes"] = sampled ? Json(report.peak_memory.uss) : Json(nullptr);
  json["memory_samples"] = report.peak_memory.samples;
  json["events_lost"] = report.events_lost;
  json["runqueue_waits_lost"] = report.runqueue_waits_lost;
  json["exits_unobserved"] = report.exits_unobserved;
  return json;
}

std::string measure_report_text(const MeasureReport& report) {
  const Counters& counters = report.totals.counters;
  std::string text = "bpfproc measure: " + quote_command(report.command) + "\n";

  std::string status = std::to_string(report.exit_code);
  if (report.signal != 0) {
    const char* name = strsignal(report.signal);
    status += " (killed by signal " + std::to_string(report.signal) + (name ? std::string(", ") + name : "") + ")";
  }
  add_line(text, "exit status", status);
  add_line(text, "wall time", printf_string("%.3f s", report.wall_seconds));
  add_line(text, "CPU time",
           printf_string("%.6f s", seconds(counters.runtime_ns)) + " (user " +
               printf_string("%.6f s", seconds(counters.user_ns)) + ", system " +
               printf_string("%.6f s", seconds(counters.system_ns)) + ")");
  add_line(text, "processes",
           std::to_string(report.totals.processes) + " (" + std::to_string(report.totals.still_running) +
               " still running)");
  add_line(text, "threads", std::to_string(report.totals.threads));
  add_line(text, "run-queue wait", printf_string("%.6f s", seconds(counters.run_delay_ns)));

  const std::uint64_t waits = counters.runqueue_latency.count();
  if (waits == 0) {
    add_line(text, "run-queue latency", "no waits recorded");
  } else {
    std::string latency;
    for (const LatencyQuantile& quantile : kLatencyQuantiles)
      latency += std::string(quantile.key) + " ≤ " +
                 format_duration(latency_quantile_upper_bound_ns(counters.runqueue_latency, quantile.quantile,
                                                                 report.totals.runqueue_latency_max_ns)) +
                 ", ";
    latency += "max " + format_duration(report.totals.runqueue_latency_max_ns) + " (" + std::to_string(waits) +
               " waits; quantiles are upper bounds, at most 2× the true value)";
    add_line(text, "run-queue latency", latency);
  }
  add_line(text, "context switches",
           std::to_string(counters.voluntary_switches) + " voluntary, " +
               std::to_string(counters.involuntary_switches) + " involuntary");
  add_line(text, "migrations", std::to_string(counters.migrations));
  if (report.peak_memory.samples == 0) {
    add_line(text, "peak memory", "not sampled (the command ended before the first sample)");
  } else {
    add_line(text, "peak memory",
             "RSS " + format_bytes(report.peak_memory.rss) + ", PSS " + format_bytes(report.peak_memory.pss) +
                 ", USS " + format_bytes(report.peak_memory.uss) + " (sampled " +
                 std::to_string(report.peak_memory.samples) + " times)");
  }
  if (report.events_lost != 0 || report.exits_unobserved != 0)
    add_line(text, "incomplete",
             std::to_string(report.events_lost) + " events lost (host-wide), " +
                 std::to_string(report.exits_unobserved) + " exits unobserved: the figures above may be low");
  if (report.runqueue_waits_lost != 0)
    add_line(text, "waits lost", std::to_string(report.runqueue_waits_lost) +
                                     " run-queue waits (host-wide) are missing from the latency quantiles");
  return text;
}

}  // namespace bpfproc
