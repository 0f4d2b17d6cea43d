#pragma once
// The text exposition format (0.0.4), written straight into a string: families, samples with
// escaped label values, histograms, and numbers printed as prometheus-cpp prints them. Shared by
// the writers of bpfproc's own families and of process-exporter's (compat_families.h).
#include <charconv>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace bpfproc {

inline constexpr double kNanosecondsPerSecond = 1e9;

inline double seconds(std::uint64_t nanoseconds) { return static_cast<double>(nanoseconds) / kNanosecondsPerSecond; }

struct Label {
  std::string_view name;
  std::string_view value;
  // A label written right after this one unless its value is empty: a catalogue group's subgroup
  // rides on its group label (group_label), so every family gets it without a label list of its own.
  const Label* also = nullptr;
};

// Storage for the labels that ride on a group's label.
struct GroupLabelStorage {
  Label subgroup;
  Label cgroup;
};

// A group's label (`group` or process-exporter's `groupname`), with its subgroup when it has one
// and its --group.cgroup-label (unit, container or cgroup) when set; `storage` must outlive the
// result.
template <typename Group>
Label group_label(std::string_view name, const Group& group, GroupLabelStorage& storage) {
  storage.cgroup = Label{group.cgroup_label_name, group.cgroup_label};
  storage.subgroup = Label{"subgroup", group.subgroup, group.cgroup_label.empty() ? nullptr : &storage.cgroup};
  return Label{name, group.name, &storage.subgroup};
}

// Receives each sample as (name, labels, value) instead of its text line: remote_write (push/)
// reads the snapshot through the same family writers as /metrics, so the two cannot disagree.
// Labels come in the order the writer has them; empty values are already left out.
class SeriesSink {
 public:
  using Labels = std::vector<std::pair<std::string_view, std::string_view>>;
  virtual ~SeriesSink() = default;
  // `name` includes a histogram's suffix (_bucket, _sum, _count); views live for the call only.
  virtual void series(std::string_view name, const Labels& labels, double value) = 0;
};

// Writes families and samples, counting the sample lines for bpfproc_exporter_series. Given a
// SeriesSink instead of a string, it hands each sample to the sink and writes no text.
class TextWriter {
 public:
  explicit TextWriter(std::string& text) : text_(text) {}
  explicit TextWriter(SeriesSink& sink) : text_(scratch_), sink_(&sink) {}

  std::size_t series() const { return series_; }

  // HELP is escaped as the format asks (backslash, newline); none of bpfproc's help texts has
  // either, so this matches prometheus-cpp, which does not escape HELP.
  void family(std::string_view name, std::string_view help, std::string_view type) {
    if (sink_ != nullptr) return;
    text_ += "# HELP ";
    text_ += name;
    text_ += ' ';
    for (const char character : help) {
      if (character == '\\') text_ += "\\\\";
      else if (character == '\n') text_ += "\\n";
      else text_ += character;
    }
    text_ += "\n# TYPE ";
    text_ += name;
    text_ += ' ';
    text_ += type;
    text_ += '\n';
  }

  void sample(std::string_view name, std::initializer_list<Label> labels, double value) {
    if (sink_ != nullptr) return to_sink(name, {}, labels, {}, value);
    head(name, {}, labels, {});
    number(value);
    text_ += '\n';
  }

  // A sample whose labels are only known at run time: (name, value) pairs, e.g. a host family's.
  template <typename Pairs>
  void sample_with_pairs(std::string_view name, const Pairs& labels, double value) {
    if (sink_ != nullptr) return to_sink(name, {}, labels, {}, value);
    head(name, {}, labels, {});
    number(value);
    text_ += '\n';
  }

  // A histogram as prometheus-cpp prints it: _count, _sum, then the buckets; `bucket_bounds` and
  // `cumulative` give the finite buckets, and +Inf holds `count`.
  template <typename Bounds, typename Cumulative>
  void histogram(std::string_view name, Label label, std::uint64_t count, double sum, std::size_t finite_buckets,
                 Bounds bucket_bounds, Cumulative cumulative) {
    if (sink_ != nullptr) return histogram_to_sink(name, label, count, sum, finite_buckets, bucket_bounds, cumulative);
    head(name, "_count", std::initializer_list<Label>{label}, {});
    integer(count);
    text_ += '\n';
    head(name, "_sum", std::initializer_list<Label>{label}, {});
    number(sum);
    text_ += '\n';
    char bound[32];
    for (std::size_t bucket = 0; bucket < finite_buckets; ++bucket) {
      head(name, "_bucket", std::initializer_list<Label>{label}, format_number(bound, bucket_bounds(bucket)));
      integer(cumulative(bucket));
      text_ += '\n';
    }
    head(name, "_bucket", std::initializer_list<Label>{label}, "+Inf");
    integer(count);
    text_ += '\n';
  }

 private:
  template <typename Bounds, typename Cumulative>
  void histogram_to_sink(std::string_view name, Label label, std::uint64_t count, double sum, std::size_t finite_buckets,
                         Bounds bucket_bounds, Cumulative cumulative) {
    const std::initializer_list<Label> labels{label};
    to_sink(name, "_count", labels, {}, static_cast<double>(count));
    to_sink(name, "_sum", labels, {}, sum);
    char bound[32];
    for (std::size_t bucket = 0; bucket < finite_buckets; ++bucket)
      to_sink(name, "_bucket", labels, format_number(bound, bucket_bounds(bucket)),
              static_cast<double>(cumulative(bucket)));
    to_sink(name, "_bucket", labels, "+Inf", static_cast<double>(count));
  }

  // The sink's twin of head() + number(): the same labels, in the same order, with `le` last.
  template <typename Labels>
  void to_sink(std::string_view name, std::string_view suffix, const Labels& labels, std::string_view le, double value) {
    ++series_;
    sink_name_.assign(name);
    sink_name_ += suffix;
    sink_labels_.clear();
    for (const auto& label : labels) collect_label(label);
    if (!le.empty()) sink_labels_.emplace_back("le", le);
    sink_->series(sink_name_, sink_labels_, value);
  }
  void collect_label(const Label& label) {
    for (const Label* part = &label; part != nullptr; part = part->also) {
      if (part != &label && part->value.empty()) break;
      sink_labels_.emplace_back(part->name, part->value);
    }
  }
  template <typename Pair>
  void collect_label(const Pair& label) {
    sink_labels_.emplace_back(label.first, label.second);
  }

  // A Label may chain further labels (`also`), each left out when empty: Prometheus treats an
  // empty label as absent. Run-time labels come as (name, value) pairs.
  void append_label(const Label& label, char& separator) {
    for (const Label* part = &label; part != nullptr; part = part->also) {
      if (part != &label && part->value.empty()) continue;
      append_label_text(part->name, part->value, separator);
    }
  }
  template <typename Pair>
  void append_label(const Pair& label, char& separator) {
    append_label_text(label.first, label.second, separator);
  }
  void append_label_text(std::string_view name, std::string_view value, char& separator) {
    text_ += separator;
    text_ += name;
    text_ += "=\"";
    escaped(value);
    text_ += '"';
    separator = ',';
  }

  // `le` is empty unless the line is a histogram bucket.
  template <typename Labels>
  void head(std::string_view name, std::string_view suffix, const Labels& labels, std::string_view le) {
    ++series_;
    text_ += name;
    text_ += suffix;
    if (labels.size() != 0 || !le.empty()) {
      char separator = '{';
      for (const auto& label : labels) append_label(label, separator);
      if (!le.empty()) {
        text_ += separator;
        text_ += "le=\"";
        text_ += le;
        text_ += '"';
      }
      text_ += '}';
    }
    text_ += ' ';
  }

  // Label values escape backslash, double quote and newline (format 0.0.4); runs without any are
  // appended whole.
  void escaped(std::string_view value) {
    std::size_t start = 0;
    for (std::size_t index = 0; index < value.size(); ++index) {
      const char character = value[index];
      if (character != '\\' && character != '"' && character != '\n') continue;
      text_.append(value.substr(start, index - start));
      text_ += '\\';
      text_ += character == '\n' ? 'n' : character;
      start = index + 1;
    }
    text_.append(value.substr(start));
  }

  void integer(std::uint64_t value) {
    char digits[24];  // 2^64 has 20 digits
    const auto [end, error] = std::to_chars(digits, digits + sizeof digits, value);
    text_.append(digits, end);
  }

  void number(double value) {
    char digits[32];
    text_ += format_number(digits, value);
  }

  // prometheus-cpp prints doubles through an ostream with precision max_digits10 - 1 (16) and
  // the default float field, i.e. printf's %.16g; to_chars with general format and precision 16
  // gives the same digits without a locale. NaN prints as "Nan", as prometheus-cpp does.
  static std::string_view format_number(char (&digits)[32], double value) {
    if (std::isnan(value)) return "Nan";
    if (std::isinf(value)) return value < 0 ? "-Inf" : "+Inf";
    const auto [end, error] = std::to_chars(digits, digits + sizeof digits, value, std::chars_format::general, 16);
    return {digits, static_cast<std::size_t>(end - digits)};
  }

  std::string scratch_;  // text_ of a sink writer, never written
  std::string& text_;
  SeriesSink* sink_ = nullptr;
  std::string sink_name_;
  SeriesSink::Labels sink_labels_;
  std::size_t series_ = 0;
};

}  // namespace bpfproc
