// The bad-input flood of issue 8, against the real binaries.
//
// Every RPC's valid request (security::Rows()) is mutated one value at a
// time, walking the request's descriptor, so a new field is flooded without
// touching this test: 1.1 MB and 33 KiB strings, invalid UTF-8, control
// characters, empty, traversing and NUL-holding ids, unknown and fixed-offset
// zones, nonsense RRULEs, negative and out-of-range durations, timestamps out
// of range, impossible dates and times of day, out-of-range enums, negative
// counts and duplicate ids. Each must be refused with a clean status
// (INVALID_ARGUMENT naming the field, or NOT_FOUND and the like) within its
// 10 s deadline, and leave Redis as it was: its whole content is compared
// after every request, apart from the keys in kVolatileKeys. A mutation a
// service may rightly accept is listed, with why, in kMayBeAccepted.
//
// Bytes that are not UTF-8 in a proto3 string do not parse; gRPC answers
// them before any Tend code runs, and the services' edge turns its INTERNAL
// into INVALID_ARGUMENT (services/common/request_check.h).
//
// Then every RPC gets bytes that are not its request: other RPCs' requests
// and random bytes. Those may parse as something valid, so they only have to
// end cleanly.
#include <cstdint>
#include <functional>
#include <iostream>
#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/stubs/common.h"
#include "gtest/gtest.h"
#include "tests/security/rpc_rows.h"
#include "tests/support/service_harness.h"

namespace tend::security {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Keys a refused request may still write, by prefix:
//   - tend:pairing:fails: — AcceptInvite's failed-attempt counter per
//     caller (the brute-force limit), which counts refusals by design;
//   - tend:test:clock — the test's own clock.
constexpr const char* kVolatileKeys[] = {"tend:pairing:fails:",
                                         "tend:test:clock"};

bool Volatile(const std::string& key) {
  for (const char* prefix : kVolatileKeys) {
    if (absl::StartsWith(key, prefix)) return true;
  }
  return false;
}

// Mutation
//
// One malformed request: its bytes, the dotted path of the field made bad,
// and what was done to it.
struct Mutation {
  std::string path;
  std::string what;
  std::string bytes;
};

// Collects the mutations of a valid request: every top-level field, and
// every field set inside the sub-messages it carries (a field the caller
// left unset in a resource, such as an output-only time, is ignored by
// design, so making it bad proves nothing). One value changes at a time.
class Mutator {
 public:
  explicit Mutator(const Message& root) : root_(root) {}

  std::vector<Mutation> All() {
    Walk({}, root_);
    return std::move(out_);
  }

 private:
  using Path = std::vector<const FieldDescriptor*>;

  // The message at `path` inside `root`, created when unset.
  static Message* Reach(Message* root, const Path& path) {
    Message* m = root;
    for (const FieldDescriptor* f : path) {
      const Reflection* r = m->GetReflection();
      m = f->is_repeated()
              ? (r->FieldSize(*m, f) > 0 ? r->MutableRepeatedMessage(m, f, 0)
                                         : r->AddMessage(m, f))
              : r->MutableMessage(m, f);
    }
    return m;
  }

  static std::string Dotted(const Path& path) {
    std::string out;
    for (const FieldDescriptor* f : path) {
      absl::StrAppend(&out, out.empty() ? "" : ".", f->name());
    }
    return out;
  }

  // Adds the request with `set` applied to the message at `parent`; the
  // mutation is reported as made to `field_path`.
  void Add(const Path& parent, const FieldDescriptor* field,
           const std::string& field_path, const std::string& what,
           const std::function<void(Message*, const FieldDescriptor*)>& set) {
    std::unique_ptr<Message> copy(root_.New());
    copy->CopyFrom(root_);
    set(Reach(copy.get(), parent), field);
    out_.push_back({field_path, what, copy->SerializePartialAsString()});
  }

  void SetString(const Path& parent, const FieldDescriptor* field,
                 const std::string& what, const std::string& value) {
    Path path = parent;
    path.push_back(field);
    Add(parent, field, Dotted(path), what,
        [value](Message* m, const FieldDescriptor* f) {
          const Reflection* r = m->GetReflection();
          if (f->is_repeated()) {
            r->AddString(m, f, value);
          } else {
            r->SetString(m, f, value);
          }
        });
  }

  // Sets an integer or enum field `field` of the message at `parent`,
  // reported as a mutation of `reported` (the field itself, or the
  // well-known message that holds it).
  void SetInt(const Path& parent, const FieldDescriptor* field,
              const std::string& reported, const std::string& what,
              int64_t value) {
    if (field == nullptr) return;
    Add(parent, field, reported, what,
        [value](Message* m, const FieldDescriptor* f) {
          const Reflection* r = m->GetReflection();
          switch (f->cpp_type()) {
            case FieldDescriptor::CPPTYPE_INT32:
              f->is_repeated() ? r->AddInt32(m, f, static_cast<int32_t>(value))
                               : r->SetInt32(m, f, static_cast<int32_t>(value));
              break;
            case FieldDescriptor::CPPTYPE_INT64:
              f->is_repeated() ? r->AddInt64(m, f, value)
                               : r->SetInt64(m, f, value);
              break;
            case FieldDescriptor::CPPTYPE_ENUM:
              f->is_repeated() ? r->AddEnumValue(m, f, static_cast<int>(value))
                               : r->SetEnumValue(m, f, static_cast<int>(value));
              break;
            default:
              break;
          }
        });
  }

  // Mutations of a well-known value message at `path`; false when `type`
  // is not one.
  bool WellKnown(const Path& path, const google::protobuf::Descriptor* type) {
    const std::string name = type->full_name();
    const std::string at = Dotted(path);
    auto field = [type](const char* n) { return type->FindFieldByName(n); };
    if (name == "google.protobuf.Timestamp") {
      SetInt(path, field("seconds"), at, "before year 1", -62135596801);
      SetInt(path, field("seconds"), at, "after year 9999", 253402300800);
      SetInt(path, field("nanos"), at, "negative nanos", -1);
      SetInt(path, field("nanos"), at, "nanos of 2 s", 2000000000);
    } else if (name == "google.protobuf.Duration") {
      SetInt(path, field("seconds"), at, "negative", -60);
      SetInt(path, field("seconds"), at, "beyond 10000 years", 315576000001);
      SetInt(path, field("nanos"), at, "nanos of 2 s", 2000000000);
    } else if (name == "tend.type.v1.Date") {
      SetInt(path, field("month"), at, "month 13", 13);
      SetInt(path, field("day"), at, "day 32", 32);
      SetInt(path, field("year"), at, "year -5", -5);
    } else if (name == "tend.type.v1.TimeOfDay") {
      SetInt(path, field("hours"), at, "hour 25", 25);
      SetInt(path, field("minutes"), at, "minute -1", -1);
      SetInt(path, field("seconds"), at, "second 61", 61);
    } else if (name == "google.protobuf.FieldMask") {
      SetString(path, field("paths"), "unknown path", "no_such_field");
    } else {
      return false;
    }
    return true;
  }

  void Walk(const Path& parent, const Message& message) {
    const google::protobuf::Descriptor* type = message.GetDescriptor();
    const Reflection* r = message.GetReflection();
    const bool top = parent.empty();
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* f = type->field(i);
      const bool set = f->is_repeated() ? r->FieldSize(message, f) > 0
                                        : r->HasField(message, f);
      if (!top && !set) continue;
      Path path = parent;
      path.push_back(f);
      switch (f->cpp_type()) {
        case FieldDescriptor::CPPTYPE_STRING:
          StringMutations(parent, f, top);
          break;
        case FieldDescriptor::CPPTYPE_INT32:
        case FieldDescriptor::CPPTYPE_INT64:
          SetInt(parent, f, Dotted(path), "negative", -1);
          SetInt(parent, f, Dotted(path), "minimum", INT32_MIN);
          break;
        case FieldDescriptor::CPPTYPE_ENUM:
          SetInt(parent, f, Dotted(path), "enum value 99", 99);
          SetInt(parent, f, Dotted(path), "enum value -7", -7);
          break;
        case FieldDescriptor::CPPTYPE_MESSAGE:
          if (WellKnown(path, f->message_type())) break;
          if (set) {
            Walk(path, f->is_repeated() ? r->GetRepeatedMessage(message, f, 0)
                                        : r->GetMessage(message, f));
          }
          break;
        default:
          break;
      }
    }
  }

  void StringMutations(const Path& parent, const FieldDescriptor* f, bool top) {
    SetString(parent, f, "1.1 MB", std::string(1100 * 1024, 'a'));
    SetString(parent, f, "33 KiB", std::string(33 * 1024, 'b'));
    SetString(parent, f, "a DEL byte", "ok\x7f");
    SetString(parent, f, "invalid UTF-8", "ok\xc3\x28\xff");
    SetString(parent, f, "a lone surrogate", "ok\xed\xa0\x80");
    const std::string& name = f->name();
    if (absl::StrContains(name, "zone")) {
      SetString(parent, f, "unknown zone", "Mars/Olympus_Mons");
      SetString(parent, f, "a fixed offset", "+05:00");
    }
    if (name == "rrule") {
      for (const char* rule :
           {"FREQ=SECONDLY", "FREQ=DAILY;INTERVAL=0", "FREQ=WEEKLY;BYDAY=XX",
            "FREQ=MONTHLY;BYSETPOS=1", "FREQ=YEARLY;BYMONTH=13",
            "FREQ=DAILY;COUNT=-1", "RRULE:FREQ=DAILY;;;", "nonsense",
            "FREQ=DAILY;UNTIL=99999999T999999Z", "FREQ=MONTHLY;BYMONTHDAY=0",
            "FREQ=WEEKLY;INTERVAL=-2", "FREQ=DAILY;BYHOUR=24"}) {
        SetString(parent, f, absl::StrCat("rrule ", rule), rule);
      }
    }
    // Ids a caller may leave out (the server picks one) get no empty one.
    const bool optional_id = name == "request_id" || name == "ritual_id";
    const bool id = name == "name" || name == "parent" || name == "user_id" ||
                    name == "code" || absl::EndsWith(name, "_id") ||
                    name == "reminder" || name == "ritual";
    if (top && id && !f->is_repeated()) {
      Path path = parent;
      path.push_back(f);
      if (!optional_id) {
        Add(parent, f, Dotted(path), "empty id",
            [](Message* m, const FieldDescriptor* field) {
              m->GetReflection()->SetString(m, field, "");
            });
      }
      SetString(parent, f, "path traversal", "couples/../../etc/passwd");
      SetString(parent, f, "a NUL byte", std::string("couples/a\0b", 11));
      SetString(parent, f, "a space and a star", "couples/* x");
    }
    if (f->is_repeated()) {
      Path path = parent;
      path.push_back(f);
      Add(parent, f, Dotted(path), "duplicate ids",
          [](Message* m, const FieldDescriptor* field) {
            const Reflection* r = m->GetReflection();
            if (r->FieldSize(*m, field) == 0) r->AddString(m, field, "x");
            r->AddString(m, field, r->GetRepeatedString(*m, field, 0));
          });
    }
  }

  const Message& root_;
  std::vector<Mutation> out_;
};

// Mutations a service may accept, and why: "method path (what)" prefixes.
constexpr const char* kMayBeAccepted[][2] = {
    {"CreateRitual parent (empty id)", "empty parent: the caller's couple"},
    {"ListRituals parent (empty id)", "empty parent: the caller's couple"},
    {"BatchAcceptRituals parent (empty id)",
     "empty parent: the caller's couple"},
    {"PreviewSchedule parent (empty id)", "empty parent: the caller's couple"},
    {"ExportCalendar parent (empty id)", "empty parent: the caller's couple"},
    {"ListReminders parent (empty id)", "empty parent: the caller's couple"},
    {"ListDevices parent (empty id)", "empty parent: the caller"},
    {"GetStreaks name (empty id)", "empty name: the caller's couple"},
    {"GetCadence name (empty id)", "empty name: the caller's couple"},
    {"ListReminders recipient_user_id (empty id)", "no filter"},
    {"CreateRitual ritual.recurrence.rrule (rrule RRULE:FREQ=DAILY;;;)",
     "libical reads it as FREQ=DAILY"},
    {"AcknowledgeReminder snooze_duration (negative)",
     "the base request is DONE, which ignores snooze_duration"},
    {"PreviewSchedule rituals (duplicate ids)", "a filter: twice is once"},
    {"SeedDefaultRituals partner_user_ids (duplicate ids)",
     "the couple is seeded already, and seeding is idempotent per couple"},
};

std::string Key(const Row& row, const Mutation& m) {
  return absl::StrCat(row.method, " ", m.path, " (", m.what, ")");
}

bool MayBeAccepted(const Row& row, const Mutation& m) {
  for (const auto& [what, why] : kMayBeAccepted) {
    if (Key(row, m) == what) return true;
  }
  return false;
}

bool Clean(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return true;
    default:
      return false;
  }
}

// An empty request of `method`'s type.
std::unique_ptr<Message> NewRequest(
    const google::protobuf::MethodDescriptor* method) {
  return std::unique_ptr<Message>(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(method->input_type())
          ->New());
}

class BadInputFloodTest : public CoupleStack {
 protected:
  // The mutations of `row`'s valid request.
  std::vector<Mutation> MutationsOf(const Row& row) {
    absl::StatusOr<std::string> base =
        RequestFromText(MethodOf(row), row.request, Vars());
    EXPECT_TRUE(base.ok()) << base.status();
    std::unique_ptr<Message> request = NewRequest(MethodOf(row));
    if (!base.ok() || !request->ParseFromString(*base)) return {};
    return Mutator(*request).All();
  }
};

TEST_F(BadInputFloodTest, MalformedRequestsAreRefusedCleanlyAndStoreNothing) {
  ASSERT_NO_FATAL_FAILURE(BuildState());
  // Serializing invalid UTF-8 on purpose: no log line per request.
  google::protobuf::LogSilencer quiet;
  std::map<std::string, std::string> state = RedisSnapshot(Volatile);
  int sent = 0;
  int unparseable = 0;
  std::vector<std::string> accepted;
  std::vector<std::string> background;
  for (const Row& row : Rows()) {
    if (row.expected != grpc::StatusCode::OK) continue;  // not a valid base
    const google::protobuf::MethodDescriptor* method = MethodOf(row);
    for (const Mutation& m : MutationsOf(row)) {
      CallResult r =
          CallMethod(ChannelOf(row), method, BearerFor(row.caller), m.bytes);
      ++sent;
      const grpc::StatusCode code = r.status.error_code();
      const std::string where = absl::StrCat(
          row.service, ".", row.method, " ", m.path, " (", m.what,
          "): ", CodeName(code), " ", r.status.error_message().substr(0, 200));
      std::map<std::string, std::string> now = RedisSnapshot(Volatile);
      const std::string diff = SnapshotDiff(state, now);
      state = std::move(now);
      if (!NewRequest(method)->ParseFromString(m.bytes)) {
        // Bytes that do not parse as the request type (proto3 strings must
        // be UTF-8) never reach Tend's code; gRPC's answer is made
        // INVALID_ARGUMENT at the edge.
        ++unparseable;
        EXPECT_EQ(code, grpc::StatusCode::INVALID_ARGUMENT) << where;
        EXPECT_TRUE(absl::StartsWith(r.status.error_message(), "request:"))
            << where;
        EXPECT_EQ(diff, "") << where << " stored something";
        continue;
      }
      if (code == grpc::StatusCode::OK) {
        if (!MayBeAccepted(row, m)) accepted.push_back(where);
        continue;
      }
      EXPECT_TRUE(Clean(code)) << where;
      EXPECT_LT(r.status.error_message().size(), 1024u) << where;
      if (!diff.empty()) {
        // Sent again: a refusal that writes every time is a half-write; one
        // that wrote only once was work in the background (the dispatcher)
        // landing at the same moment.
        std::string again_diff;
        for (int attempt = 0; attempt < 3; ++attempt) {
          CallMethod(ChannelOf(row), method, BearerFor(row.caller), m.bytes);
          std::map<std::string, std::string> again = RedisSnapshot(Volatile);
          again_diff = SnapshotDiff(state, again);
          state = std::move(again);
          if (again_diff.empty()) break;
        }
        EXPECT_EQ(again_diff, "")
            << where << " was refused but stores something each time";
        background.push_back(absl::StrCat(where, " →", diff));
      }
      if (code == grpc::StatusCode::INVALID_ARGUMENT) {
        const std::string leaf = m.path.substr(m.path.rfind('.') + 1);
        EXPECT_TRUE(absl::StrContains(r.status.error_message(), leaf))
            << where << " does not name the field";
      }
    }
  }
  // The flood left the logs usable: JSON lines only, nothing echoed.
  for (e2e::Service* service : {&pairing(), &prompt(), &scheduler()}) {
    const std::string logs = service->process->Stderr();
    EXPECT_LT(logs.size(), 256u * 1024) << "the flood bloated a log";
    for (absl::string_view line :
         absl::StrSplit(logs, '\n', absl::SkipEmpty())) {
      EXPECT_TRUE(absl::StartsWith(line, "{"))
          << "not a JSON log line: " << line.substr(0, 200);
    }
  }
  EXPECT_TRUE(accepted.empty())
      << accepted.size() << " malformed requests were accepted:\n"
      << absl::StrJoin(accepted, "\n");
  EXPECT_GT(sent, 1000);
  std::cout << "[ flood ] " << sent << " malformed requests, " << unparseable
            << " of them unparseable as their type"
            << "\n[ flood ] writes seen once, beside a refusal ("
            << background.size() << "):\n  "
            << absl::StrJoin(background, "\n  ") << "\n";
}

TEST_F(BadInputFloodTest, BytesOfTheWrongTypeEndCleanly) {
  ASSERT_NO_FATAL_FAILURE(BuildState());
  std::vector<std::string> others;
  for (const Row& row : Rows()) {
    absl::StatusOr<std::string> bytes =
        RequestFromText(MethodOf(row), row.request, Vars());
    ASSERT_TRUE(bytes.ok());
    others.push_back(*bytes);
  }
  std::mt19937 random(8);
  for (int i = 0; i < 8; ++i) {
    std::string garbage(1 + random() % 200, '\0');
    for (char& c : garbage) c = static_cast<char>(random());
    others.push_back(garbage);
  }
  int sent = 0;
  google::protobuf::LogSilencer quiet;
  for (const Row& row : Rows()) {
    const google::protobuf::MethodDescriptor* method = MethodOf(row);
    // Read-only callers: a stranger, so what parses as valid stores nothing
    // of the couple's; the services must still answer cleanly.
    for (size_t i = 0; i < others.size(); i += 3) {
      CallResult r = CallMethod(ChannelOf(row), method, BearerFor("eve"),
                                others[i], absl::Seconds(10));
      ++sent;
      const grpc::StatusCode code = r.status.error_code();
      // What does not parse is INVALID_ARGUMENT too (never INTERNAL).
      const bool parses = NewRequest(method)->ParseFromString(others[i]);
      if (!parses) EXPECT_EQ(code, grpc::StatusCode::INVALID_ARGUMENT);
      EXPECT_TRUE(code == grpc::StatusCode::OK || Clean(code))
          << row.method << " with other bytes #" << i << ": " << CodeName(code)
          << " " << r.status.error_message();
      EXPECT_NE(code, grpc::StatusCode::DEADLINE_EXCEEDED) << row.method;
      EXPECT_NE(code, grpc::StatusCode::UNAVAILABLE) << row.method;
    }
  }
  // Everyone is still up.
  for (const char* service : {"pairing", "prompt", "scheduler"}) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(5));
    std::string response;
    EXPECT_TRUE(testing::CallGeneric(ChannelOf(service), &context,
                                     "/grpc.health.v1.Health/Check", "",
                                     &response)
                    .ok())
        << service;
  }
  std::cout << "[ flood ] " << sent << " requests of the wrong type\n";
}

}  // namespace
}  // namespace tend::security
