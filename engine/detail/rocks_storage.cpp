// RocksDB Storage. Key layout and value encoding: docs/event-log-format.md.
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/options_util.h>
#include <rocksdb/write_batch.h>

#include <filesystem>
#include <mutex>

#include "engine/detail/storage.hpp"

namespace casetrail::detail {
namespace {

constexpr const char* kFormatKey = "casetrail.log_format";
constexpr const char* kFormatValue = "1";

enum Cf { kDefault = 0, kEvents, kStreams, kStreamMeta, kIds, kCheckpoints, kProjections, kNumCf };
const char* const kCfNames[kNumCf] = {"default",
                                      "events",
                                      "streams",
                                      "stream_meta",
                                      "ids",
                                      "checkpoints",
                                      "projections"};

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  if (s.IsCorruption()) return Status::Corruption(what + ": " + s.ToString());
  return Status::IOError(what + ": " + s.ToString());
}

std::string IdKey(char kind, const std::string& id) {
  std::string k;
  k.reserve(1 + id.size());
  k.push_back(kind);
  k.append(id);
  return k;
}

class RocksStorage final : public Storage {
 public:
  static Result<std::unique_ptr<Storage>> Open(const std::string& path, bool durable) {
    auto st = std::unique_ptr<RocksStorage>(new RocksStorage(durable));
    if (Status s = st->DoOpen(path); !s.ok()) return s;
    return std::unique_ptr<Storage>(std::move(st));
  }

  ~RocksStorage() override { Close(); }

  Status Commit(const CommitBatch& b, bool sync) override {
    rocksdb::WriteBatch wb;
    for (const auto& e : b.events) {
      const std::string pos = PositionKey(e.position);
      wb.Put(cf_[kEvents], pos, e.encoded);
      wb.Put(cf_[kStreams], StreamIndexKey(e.stream, e.version), pos);
    }
    for (const auto& [s, m] : b.stream_metas) wb.Put(cf_[kStreamMeta], s, EncodeStreamMeta(m));
    for (const auto& [id, p] : b.event_ids) wb.Put(cf_[kIds], IdKey('e', id), PositionKey(p));
    for (const auto& [id, c] : b.commands) {
      wb.Put(cf_[kIds], IdKey('c', id), EncodeCommandRecord(c));
    }
    rocksdb::WriteOptions wo;
    wo.sync = sync;
    return FromRocks(db_->Write(wo, &wb), "commit");
  }

  Result<std::uint64_t> LastPosition() override {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_[kEvents]));
    it->SeekToLast();
    if (!it->status().ok()) return FromRocks(it->status(), "reading the last position");
    if (!it->Valid()) return std::uint64_t{0};
    if (it->key().size() != 8) return Status::Corruption("events: key of wrong size");
    return GetBigEndian64(it->key().data());
  }

  Result<std::optional<StreamMeta>> GetStreamMeta(const std::string& stream) override {
    std::string v;
    auto s = db_->Get(rocksdb::ReadOptions(), cf_[kStreamMeta], stream, &v);
    if (s.IsNotFound()) return std::optional<StreamMeta>();
    if (!s.ok()) return FromRocks(s, "stream_meta");
    StreamMeta m;
    if (Status d = DecodeStreamMeta(v, &m); !d.ok()) {
      return Status::Corruption("stream '" + stream + "': " + d.message());
    }
    return std::optional<StreamMeta>(m);
  }

  Result<std::optional<std::uint64_t>> GetEventIdPosition(const std::string& id) override {
    std::string v;
    auto s = db_->Get(rocksdb::ReadOptions(), cf_[kIds], IdKey('e', id), &v);
    if (s.IsNotFound()) return std::optional<std::uint64_t>();
    if (!s.ok()) return FromRocks(s, "ids");
    if (v.size() != 8) return Status::Corruption("ids: event id '" + id + "' has a bad value");
    return std::optional<std::uint64_t>(GetBigEndian64(v.data()));
  }

  Result<std::optional<CommandRecord>> GetCommand(const std::string& id) override {
    std::string v;
    auto s = db_->Get(rocksdb::ReadOptions(), cf_[kIds], IdKey('c', id), &v);
    if (s.IsNotFound()) return std::optional<CommandRecord>();
    if (!s.ok()) return FromRocks(s, "ids");
    CommandRecord c;
    if (Status d = DecodeCommandRecord(v, &c); !d.ok()) {
      return Status::Corruption("command id '" + id + "': " + d.message());
    }
    return std::optional<CommandRecord>(std::move(c));
  }

  Result<std::optional<std::string>> GetEvent(std::uint64_t position) override {
    std::string v;
    auto s = db_->Get(rocksdb::ReadOptions(), cf_[kEvents], PositionKey(position), &v);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return FromRocks(s, "events");
    return std::optional<std::string>(std::move(v));
  }

  Status GetEvents(const std::vector<std::uint64_t>& positions,
                   std::vector<std::optional<std::string>>* out) override {
    std::vector<std::string> keys;
    keys.reserve(positions.size());
    for (auto p : positions) keys.push_back(PositionKey(p));
    std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
    std::vector<rocksdb::PinnableSlice> values(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size());
    db_->MultiGet(rocksdb::ReadOptions(), cf_[kEvents], keys.size(), slices.data(), values.data(),
                  statuses.data());
    out->clear();
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (statuses[i].IsNotFound()) {
        out->emplace_back();
      } else if (!statuses[i].ok()) {
        return FromRocks(statuses[i], "events");
      } else {
        out->emplace_back(values[i].ToString());
      }
    }
    return Status::Ok();
  }

  Status ScanEvents(std::uint64_t from, std::uint64_t to,
                    const std::function<bool(std::uint64_t, std::string_view)>& fn) override {
    rocksdb::ReadOptions ro;
    std::string upper;
    rocksdb::Slice upper_slice;
    if (to != UINT64_MAX) {
      upper = PositionKey(to + 1);
      upper_slice = upper;
      ro.iterate_upper_bound = &upper_slice;
    }
    ro.fill_cache = false;  // a full replay must not evict the working set
    ro.readahead_size = 4 << 20;
    // Every event carries its own CRC32C, checked by the decoder, and the key is checked against
    // the position the event records: block checksums would check the same bytes twice.
    ro.verify_checksums = false;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf_[kEvents]));
    for (it->Seek(PositionKey(from)); it->Valid(); it->Next()) {
      auto k = it->key();
      if (k.size() != 8) return Status::Corruption("events: key of wrong size");
      auto v = it->value();
      if (!fn(GetBigEndian64(k.data()), std::string_view(v.data(), v.size()))) break;
    }
    return FromRocks(it->status(), "scanning events");
  }

  Status ScanStream(const std::string& stream, std::uint64_t from_version, Direction dir,
                    const std::function<bool(std::uint64_t, std::uint64_t)>& fn) override {
    const std::string lo = StreamIndexKey(stream, 0);
    const std::string hi = StreamIndexKey(stream, UINT64_MAX);
    rocksdb::Slice lo_s(lo), hi_s(hi);
    rocksdb::ReadOptions ro;
    ro.iterate_lower_bound = &lo_s;
    ro.iterate_upper_bound = &hi_s;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf_[kStreams]));
    auto visit = [&]() -> int {  // 1 continue, 0 stop, -1 corrupt
      std::string_view s;
      std::uint64_t v = 0;
      auto k = it->key();
      if (!ParseStreamIndexKey(std::string_view(k.data(), k.size()), &s, &v) || s != stream ||
          it->value().size() != 8) {
        return -1;
      }
      return fn(v, GetBigEndian64(it->value().data())) ? 1 : 0;
    };
    int r = 1;
    if (dir == Direction::kForward) {
      for (it->Seek(StreamIndexKey(stream, from_version)); r == 1 && it->Valid(); it->Next()) {
        r = visit();
      }
    } else {
      if (from_version == UINT64_MAX) {
        it->SeekToLast();
      } else {
        it->SeekForPrev(StreamIndexKey(stream, from_version));
      }
      for (; r == 1 && it->Valid(); it->Prev()) r = visit();
    }
    if (r == -1) return Status::Corruption("streams: malformed index entry for '" + stream + "'");
    return FromRocks(it->status(), "scanning stream '" + stream + "'");
  }

  Status ScanStreamIndex(
      const std::function<bool(std::string_view, std::uint64_t, std::uint64_t)>& fn) override {
    rocksdb::ReadOptions ro;
    ro.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf_[kStreams]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string_view s;
      std::uint64_t v = 0;
      auto k = it->key();
      if (!ParseStreamIndexKey(std::string_view(k.data(), k.size()), &s, &v) ||
          it->value().size() != 8) {
        return Status::Corruption("streams: malformed index entry");
      }
      if (!fn(s, v, GetBigEndian64(it->value().data()))) break;
    }
    return FromRocks(it->status(), "scanning the stream index");
  }

  Status ScanStreamMetas(
      const std::function<bool(std::string_view, const StreamMeta&)>& fn) override {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_[kStreamMeta]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      StreamMeta m;
      auto k = it->key();
      auto v = it->value();
      if (Status d = DecodeStreamMeta(std::string_view(v.data(), v.size()), &m); !d.ok()) {
        return Status::Corruption("stream_meta of '" + k.ToString() + "': " + d.message());
      }
      if (!fn(std::string_view(k.data(), k.size()), m)) break;
    }
    return FromRocks(it->status(), "scanning stream metadata");
  }

  Status PutCheckpoint(const std::string& name, std::uint64_t position) override {
    rocksdb::WriteOptions wo;
    wo.sync = durable_;
    return FromRocks(db_->Put(wo, cf_[kCheckpoints], name, PositionKey(position)), "checkpoint");
  }

  Result<std::optional<std::uint64_t>> GetCheckpoint(const std::string& name) override {
    std::string v;
    auto s = db_->Get(rocksdb::ReadOptions(), cf_[kCheckpoints], name, &v);
    if (s.IsNotFound()) return std::optional<std::uint64_t>();
    if (!s.ok()) return FromRocks(s, "checkpoints");
    if (v.size() != 8) return Status::Corruption("checkpoint '" + name + "' has a bad value");
    return std::optional<std::uint64_t>(GetBigEndian64(v.data()));
  }

  Status PutSnapshot(const std::string& name, std::string_view value) override {
    rocksdb::WriteOptions wo;
    wo.sync = false;  // derived state: a lost snapshot costs a rebuild, never a fact
    return FromRocks(db_->Put(wo, cf_[kProjections], name, rocksdb::Slice(value.data(), value.size())),
                     "snapshot");
  }

  Result<std::optional<std::string>> GetSnapshot(const std::string& name) override {
    std::string v;
    auto s = db_->Get(rocksdb::ReadOptions(), cf_[kProjections], name, &v);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return FromRocks(s, "snapshots");
    return std::optional<std::string>(std::move(v));
  }

  void Close() override {
    std::lock_guard<std::mutex> lk(close_mu_);
    if (!db_) return;
    // Flush so that the next open does not replay the whole WAL (a clean shutdown is fast to
    // reopen); a crash skips this and recovery replays the WAL as usual.
    db_->Flush(rocksdb::FlushOptions(), cf_);
    for (auto* h : cf_) {
      if (h) db_->DestroyColumnFamilyHandle(h);
    }
    cf_.clear();
    db_->Close();
    db_.reset();
  }

 private:
  explicit RocksStorage(bool durable) : durable_(durable) {}

  Status DoOpen(const std::string& path) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return Status::IOError("cannot create data directory '" + path + "': " + ec.message());

    rocksdb::Options options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    options.max_background_jobs = 2;
    options.bytes_per_sync = 1 << 20;
    options.keep_log_file_num = 5;

    auto cache = rocksdb::NewLRUCache(128 << 20);
    auto cf_options = [&](bool point_lookups, std::size_t memtable_bytes) {
      rocksdb::ColumnFamilyOptions o;
      // Small entries (index, ids, metadata) in small memtables: inserting into a large
      // skiplist of random keys costs several microseconds per entry (measured).
      o.write_buffer_size = memtable_bytes;
      rocksdb::BlockBasedTableOptions t;
      t.block_cache = cache;
      t.block_size = 16 << 10;
      if (point_lookups) {
        t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
        // Most point lookups of a busy server miss (a new child has no stream, no snapshot, no
        // restriction; a new command id is not yet known): a Bloom filter over the memtable's
        // whole keys answers those without searching its skiplist.
        o.memtable_prefix_bloom_size_ratio = 0.1;
        o.memtable_whole_key_filtering = true;
      }
      o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
      o.compression = rocksdb::kLZ4Compression;
      return o;
    };
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (int i = 0; i < kNumCf; ++i) {
      const bool point = (i == kStreamMeta || i == kIds || i == kCheckpoints || i == kProjections);
      cfs.emplace_back(kCfNames[i], cf_options(point, i == kEvents ? (64u << 20) : (8u << 20)));
    }
    // Refuse a directory that holds some other RocksDB database.
    std::vector<std::string> existing;
    if (rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(options), path, &existing).ok()) {
      for (const auto& name : existing) {
        bool known = false;
        for (auto* n : kCfNames) known |= (name == n);
        if (!known) {
          return Status::InvalidArgument(
              "data_dir", "'" + path + "' holds a database that is not a casetrail log (column family '" +
                              name + "')");
        }
      }
    }
    rocksdb::DB* raw = nullptr;
    auto s = rocksdb::DB::Open(rocksdb::DBOptions(options), path, cfs, &cf_, &raw);
    if (!s.ok()) return FromRocks(s, "opening '" + path + "'");
    db_.reset(raw);

    std::string format;
    s = db_->Get(rocksdb::ReadOptions(), cf_[kDefault], kFormatKey, &format);
    if (s.IsNotFound()) {
      rocksdb::WriteOptions wo;
      wo.sync = true;
      s = db_->Put(wo, cf_[kDefault], kFormatKey, kFormatValue);
      if (!s.ok()) return FromRocks(s, "writing the format marker");
    } else if (!s.ok()) {
      return FromRocks(s, "reading the format marker");
    } else if (format != kFormatValue) {
      return Status::Corruption("'" + path + "' has log format " + format + "; this build reads " +
                                kFormatValue);
    }
    return Status::Ok();
  }

  bool durable_;
  std::mutex close_mu_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> cf_;
};

}  // namespace

Result<std::unique_ptr<Storage>> OpenRocksStorage(const std::string& path, bool durable) {
  return RocksStorage::Open(path, durable);
}

}  // namespace casetrail::detail
