#include "bpfproc/procfs/cgroup_fields.h"

#include <algorithm>
#include <array>

namespace bpfproc {
namespace {

constexpr std::size_t kContainerIdLength = 64;  // sha256 in hex: every OCI runtime's id
constexpr std::size_t kShortIdLength = 12;      // what `docker ps` shows
constexpr std::size_t kUuidLength = 36;         // 8-4-4-4-12

bool is_hex(char character) {
  return (character >= '0' && character <= '9') || (character >= 'a' && character <= 'f');
}

// The path's components, leaf first: later components are the more specific ones.
std::vector<std::string_view> components_leaf_first(std::string_view path) {
  std::vector<std::string_view> components;
  while (!path.empty()) {
    const std::size_t slash = path.rfind('/');
    const std::string_view component = slash == std::string_view::npos ? path : path.substr(slash + 1);
    if (!component.empty()) components.push_back(component);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
  }
  return components;
}

// systemd names a unit's cgroup after the unit: "nginx.service", "docker-<id>.scope".
std::string unit_of(const std::vector<std::string_view>& components) {
  for (const std::string_view component : components)
    if (component.ends_with(".service") || component.ends_with(".scope")) return std::string(component);
  return {};
}

// A run of exactly 64 hex digits in a component: "docker-<id>.scope", "cri-containerd-<id>.scope",
// "crio-<id>.scope", "libpod-<id>.scope", or the bare "<id>" of cgroupfs drivers.
std::string container_id_of(const std::vector<std::string_view>& components) {
  for (const std::string_view component : components) {
    std::size_t run = 0;
    for (std::size_t index = 0; index <= component.size(); ++index) {
      if (index < component.size() && is_hex(component[index])) {
        ++run;
        continue;
      }
      if (run == kContainerIdLength) return std::string(component.substr(index - run, kShortIdLength));
      run = 0;
    }
  }
  return {};
}

// "pod<uid>" under kubepods: "/kubepods/burstable/pod<uid>/..." (cgroupfs driver) or
// "kubepods-burstable-pod<uid with _>.slice" (systemd driver, which has no '-' to spare).
std::string pod_uid_of(std::string_view path, const std::vector<std::string_view>& components) {
  if (path.find("kubepods") == std::string_view::npos) return {};
  for (const std::string_view component : components) {
    const std::size_t start = component.rfind("pod");
    if (start == std::string_view::npos) continue;
    std::string uid(component.substr(start + 3, kUuidLength));
    if (uid.size() != kUuidLength) continue;
    std::replace(uid.begin(), uid.end(), '_', '-');
    const bool shaped = std::all_of(uid.begin(), uid.end(), [](char character) {
      return is_hex(character) || character == '-';
    });
    if (shaped && uid[8] == '-' && uid[13] == '-' && uid[18] == '-' && uid[23] == '-') return uid;
  }
  return {};
}

bool has_controller(std::string_view controllers, std::string_view wanted) {
  while (!controllers.empty()) {
    const std::size_t comma = controllers.find(',');
    if (controllers.substr(0, comma) == wanted) return true;
    if (comma == std::string_view::npos) break;
    controllers.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

CgroupFields cgroup_fields_of_path(std::string_view path) {
  const std::vector<std::string_view> components = components_leaf_first(path);
  CgroupFields fields;
  fields.path = std::string(path);
  fields.unit = unit_of(components);
  fields.container_id = container_id_of(components);
  fields.pod_uid = pod_uid_of(path, components);
  return fields;
}

CgroupFields cgroup_fields_of_lines(const std::vector<CgroupLine>& lines) {
  CgroupFields fields;
  for (const CgroupLine& line : lines)
    if (line.hierarchy == 0 && line.controllers.empty()) fields = cgroup_fields_of_path(line.path);
  // v1 hierarchies systemd and the container runtimes place processes in, best first.
  static constexpr std::array<std::string_view, 3> kV1Controllers = {"name=systemd", "memory", "cpu"};
  for (const std::string_view controller : kV1Controllers) {
    for (const CgroupLine& line : lines) {
      if (line.hierarchy == 0 || !has_controller(line.controllers, controller)) continue;
      const CgroupFields v1 = cgroup_fields_of_path(line.path);
      if (fields.unit.empty()) fields.unit = v1.unit;
      if (fields.container_id.empty()) fields.container_id = v1.container_id;
      if (fields.pod_uid.empty()) fields.pod_uid = v1.pod_uid;
    }
  }
  return fields;
}

}  // namespace bpfproc
