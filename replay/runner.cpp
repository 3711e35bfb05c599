#include "replay/runner.hpp"

#include <algorithm>
#include <sstream>
#include <thread>

#include "engine/hash.hpp"

namespace casetrail::replay {

std::string ProjectionRunner::CheckpointName(const Projection& p) {
  return std::string("projection.") + p.name() + ".v" + std::to_string(p.version());
}

Result<std::uint64_t> ProjectionRunner::CatchUp(Projection& p, std::uint64_t max_events) {
  ReadAllOptions o;
  o.from_position = p.position_ + 1;
  o.max_count = max_events;
  Status s = log_.ReadAll(o, [&](const EventView& e) {
    p.Apply(e);
    p.position_ = e.position;
    return true;
  });
  if (!s.ok()) return s;
  if (Status c = log_.SetCheckpoint(CheckpointName(p), p.position_); !c.ok()) return c;
  return p.position_;
}

Result<std::uint64_t> ProjectionRunner::CatchUpAll(std::span<Projection* const> ps, std::uint64_t max_events,
                                                   bool checkpoint) {
  if (ps.empty()) return std::uint64_t{0};
  std::uint64_t from = UINT64_MAX;
  for (const Projection* p : ps) from = std::min(from, p->position_);
  ReadAllOptions o;
  o.from_position = from + 1;
  o.max_count = max_events;
  Status s = log_.ReadAll(o, [&](const EventView& e) {
    for (Projection* p : ps) {
      if (e.position <= p->position_) continue;
      p->Apply(e);
      p->position_ = e.position;
    }
    return true;
  });
  if (!s.ok()) return s;
  if (checkpoint) {
    if (Status c = StoreCheckpoints(ps); !c.ok()) return c;
  }
  std::uint64_t reached = UINT64_MAX;
  for (const Projection* p : ps) reached = std::min(reached, p->position_);
  return reached;
}

Status ProjectionRunner::StoreCheckpoints(std::span<Projection* const> ps) {
  for (const Projection* p : ps) {
    if (Status c = log_.SetCheckpoint(CheckpointName(*p), p->position_); !c.ok()) return c;
  }
  return Status::Ok();
}

namespace {
std::string SealName(const Projection& p) { return ProjectionRunner::CheckpointName(p) + ".seal"; }
}  // namespace

Status ProjectionRunner::Seal(const Projection& p) {
  if (Status c = log_.SetCheckpoint(CheckpointName(p), p.position_); !c.ok()) return c;
  return log_.PutSnapshot(SealName(p), std::to_string(p.position_) + " " + Sha256Hex(p.Serialize()));
}

Result<ProjectionRunner::Check> ProjectionRunner::Verify(Projection& fresh) {
  Check out;
  out.name = std::string(fresh.name()) + ".v" + std::to_string(fresh.version());
  auto seal = log_.GetSnapshot(SealName(fresh));
  if (!seal.ok()) {
    if (seal.status().IsNotFound()) return out;
    return seal.status();
  }
  out.sealed = true;
  std::istringstream in(*seal);
  std::string digest;
  if (!(in >> out.position >> digest)) {
    out.reason = "the seal is damaged";
    return out;
  }
  const std::uint64_t head = log_.HeadPosition();
  if (out.position > head) {
    out.reason = "sealed at position " + std::to_string(out.position) + ", past the log's head " + std::to_string(head);
    return out;
  }
  if (auto cp = log_.GetCheckpoint(CheckpointName(fresh)); cp.ok() && *cp > head) {
    out.reason = "checkpoint at position " + std::to_string(*cp) + ", past the log's head " + std::to_string(head);
    return out;
  }
  fresh.Reset();
  fresh.position_ = 0;
  ReadAllOptions o;
  o.max_count = out.position;
  Status s = log_.ReadAll(o, [&](const EventView& e) {
    fresh.Apply(e);
    fresh.position_ = e.position;
    return true;
  });
  if (!s.ok()) return s;
  if (Sha256Hex(fresh.Serialize()) != digest) {
    out.reason = "its state at position " + std::to_string(out.position) + " differs from a rebuild from the log";
    return out;
  }
  out.ok = true;
  return out;
}

Result<std::uint64_t> ProjectionRunner::RebuildAll(const std::vector<Projection*>& ps,
                                                   const std::function<void(std::uint64_t)>& progress) {
  for (Projection* p : ps) {
    p->Reset();
    p->position_ = 0;
  }
  // The projections are split into as many groups as there are cores (heaviest first, each to
  // the lightest group); each group scans the log on its own thread up to the same head, so
  // every projection still sees every event in position order.
  const std::uint64_t head = log_.HeadPosition();
  const std::size_t n = std::max<std::size_t>(1, std::min<std::size_t>(ps.size(), std::thread::hardware_concurrency()));
  std::vector<Projection*> order = ps;
  std::stable_sort(order.begin(), order.end(), [](const Projection* a, const Projection* b) { return a->weight() > b->weight(); });
  std::vector<std::vector<Projection*>> groups(n);
  std::vector<double> load(n, 0);
  for (Projection* p : order) {
    const std::size_t g = static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    groups[g].push_back(p);
    load[g] += p->weight();
  }
  std::vector<Status> results(n);
  std::vector<std::uint64_t> lasts(n, 0);
  auto scan = [&](std::size_t g) {
    ReadAllOptions o;
    o.max_count = head;
    results[g] = log_.ReadAll(o, [&](const EventView& e) {
      for (Projection* p : groups[g]) p->Apply(e);
      lasts[g] = e.position;
      if (g == 0 && progress && (e.position & 0xFFFF) == 0) progress(e.position);
      return true;
    });
  };
  std::vector<std::thread> threads;
  for (std::size_t g = 1; g < n; ++g) threads.emplace_back(scan, g);
  scan(0);
  for (auto& t : threads) t.join();
  for (const Status& s : results) {
    if (!s.ok()) return s;
  }
  const std::uint64_t last = lasts[0];
  for (Projection* p : ps) {
    p->position_ = last;
    if (Status c = log_.SetCheckpoint(CheckpointName(*p), last); !c.ok()) return c;
  }
  if (progress) progress(last);
  return last;
}

Result<std::uint64_t> ProjectionRunner::Rebuild(Projection& p) {
  p.Reset();
  p.position_ = 0;
  return CatchUp(p);
}

}  // namespace casetrail::replay
