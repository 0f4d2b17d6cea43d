#pragma once
// A cgroup of a privileged test under the cgroup v2 mount, removed at the end. usage_usec in its
// cpu.stat is the kernel's exact CPU total of everything that ran in it, exited tasks included,
// even without the cpu controller: the reference of the accuracy tests.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>

#include "bpfproc/procfs/cgroup_tree.h"
#include "bpfproc/util/whole_file.h"

namespace bpfproc::testing {

// "/sys/fs/cgroup" on pure v2 hosts, ".../unified" on hybrid ones; empty if there is none.
inline std::string cgroup2_mount() {
  auto mountinfo = read_whole_file("/proc/self/mountinfo");
  if (!mountinfo) return {};
  return find_cgroup2_mount(*mountinfo).value_or("");
}

class TestCgroup {
 public:
  // mount/bpfproc-test-NAME-PID
  explicit TestCgroup(const std::string& name) {
    const std::string mount = cgroup2_mount();
    if (mount.empty()) throw std::runtime_error("no cgroup v2 mount in /proc/self/mountinfo");
    make(mount + "/bpfproc-test-" + name + "-" + std::to_string(getpid()), mount.size());
  }
  // A child of `parent`: parent/NAME
  TestCgroup(const TestCgroup& parent, const std::string& name) {
    make(parent.path_ + "/" + name, parent.mount_length_);
  }
  TestCgroup(const TestCgroup&) = delete;
  TestCgroup& operator=(const TestCgroup&) = delete;
  ~TestCgroup() {
    // Emptied by then; a task still leaving keeps it busy for a moment.
    for (int attempt = 0; attempt < 100 && rmdir(path_.c_str()) != 0 && errno == EBUSY; ++attempt) usleep(10'000);
  }
  const std::string& path() const { return path_; }
  // As /proc/PID/cgroup's "0::" line shows it: "/bpfproc-test-x-123/a.scope".
  std::string v2_path() const { return path_.substr(mount_length_); }

  std::uint64_t value(const std::string& file, const std::string& key) const {
    std::ifstream input(path_ + "/" + file);
    std::string name;
    std::uint64_t number = 0;
    while (input >> name >> number)
      if (name == key) return number;
    return 0;
  }
  // Waits until no task is left in it, then a little more for the last final switches.
  void wait_empty() const {
    for (int attempt = 0; attempt < 500 && value("cgroup.events", "populated") != 0; ++attempt) usleep(10'000);
    usleep(50'000);
  }
  double usage_ns() const { return static_cast<double>(value("cpu.stat", "usage_usec")) * 1000.0; }

 private:
  void make(std::string path, std::size_t mount_length) {
    path_ = std::move(path);
    mount_length_ = mount_length;
    rmdir(path_.c_str());
    if (mkdir(path_.c_str(), 0755) != 0) throw std::runtime_error("mkdir " + path_);
  }
  std::string path_;
  std::size_t mount_length_ = 0;
};

}  // namespace bpfproc::testing
