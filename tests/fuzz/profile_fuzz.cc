// Fuzzes profile, zone and time-window validation: pairing's
// ValidateProfile() and ApplyProfileUpdate() (services/pairing/profile.h),
// then what the scheduler and the planner make of a profile pairing
// accepted (services/scheduler/convert.h, engine/plan).
//
// Input: an UpdatePartnerProfileRequest, in protobuf text format (the seeds
// in tests/fuzz/corpus/profile_fuzz) or serialized.
//
// Checks, beyond no crash and no sanitizer report: refusals are
// INVALID_ARGUMENT naming a field of the request; an accepted update is a
// valid profile; and the services agree on it: the scheduler converts it,
// the planner accepts a couple of two such partners, and the engine's
// windows hold every minute from start up to end and nothing else.
#include <cstdint>

#include "absl/strings/match.h"
#include "engine/plan/planner.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/text_format.h"
#include "services/pairing/profile.h"
#include "services/scheduler/convert.h"
#include "tend/pairing/v1/pairing.pb.h"
#include "tests/fuzz/fuzz_support.h"

namespace tend::fuzz {
namespace {

using pairing::v1::PartnerProfile;

void CheckRefusal(const absl::Status& status) {
  TEND_FUZZ_CHECK(absl::IsInvalidArgument(status), status.ToString());
  TEND_FUZZ_CHECK(absl::StartsWith(status.message(), "profile.") ||
                      absl::StartsWith(status.message(), "update_mask"),
                  "names no field: ", status.ToString());
}

// The engine's window against a minute-by-minute walk from start to end.
void CheckWindow(const engine::TimeWindow& w) {
  TEND_FUZZ_CHECK(engine::ValidateTimeWindow(w, "w").ok(),
                  "pairing accepted a window the engine refuses: ",
                  engine::FormatTimeOfDay(w.start), "-",
                  engine::FormatTimeOfDay(w.end));
  const int start = w.start.MinuteOfDay();
  const int length = (w.end.MinuteOfDay() - start + 1440) % 1440;
  for (int step = 0; step < 1440; step += 7) {
    const int minute = (start + step) % 1440;
    engine::TimeOfDay t{minute / 60, minute % 60};
    const bool inside = step < length;
    TEND_FUZZ_CHECK(w.Contains(t) == inside, engine::FormatTimeOfDay(t), " in ",
                    engine::FormatTimeOfDay(w.start), "-",
                    engine::FormatTimeOfDay(w.end));
    TEND_FUZZ_CHECK(w.MinutesLeft(t) == (inside ? length - step : 0),
                    engine::FormatTimeOfDay(t));
  }
}

void CheckAcceptedProfile(const PartnerProfile& profile) {
  absl::Status valid = pairing::ValidateProfile(profile);
  TEND_FUZZ_CHECK(valid.ok(),
                  "an accepted update is invalid: ", valid.ToString());
  pairing::v1::Couple couple;
  couple.set_name("couples/fuzz");
  couple.set_home_time_zone(profile.time_zone());
  pairing::v1::Partner* a = couple.add_partners();
  a->set_user_id("a");
  *a->mutable_profile() = profile;
  pairing::v1::Partner* b = couple.add_partners();
  b->set_user_id("b");
  *b->mutable_profile() = pairing::DefaultProfile();
  absl::StatusOr<engine::Couple> converted = scheduler::ToEngineCouple(couple);
  TEND_FUZZ_CHECK(converted.ok(), "the scheduler refuses a valid profile: ",
                  converted.status().ToString());
  CheckWindow(converted->partners[0].waking_hours);
  TEND_FUZZ_CHECK(converted->partners[0].quiet_hours.has_value(), "quiet");
  CheckWindow(*converted->partners[0].quiet_hours);

  engine::Ritual daily;
  daily.id = "daily";
  daily.rrule = "FREQ=DAILY";
  daily.dtstart = absl::CivilSecond(2026, 3, 1, 12, 0, 0);
  const absl::Time from = absl::FromUnixSeconds(1772366400);
  absl::StatusOr<engine::Plan> plan =
      engine::PlanRituals(*converted, {daily}, from, from + absl::Hours(48));
  TEND_FUZZ_CHECK(plan.ok(), "the planner refuses a valid profile: ",
                  plan.status().ToString());
}

// Text that does not parse is tried as bytes; its errors are not news.
class Quiet final : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int, google::protobuf::io::ColumnNumber,
                const std::string&) override {}
};

void Run(absl::string_view input) {
  pairing::v1::UpdatePartnerProfileRequest request;
  Quiet quiet;
  google::protobuf::TextFormat::Parser text;
  text.RecordErrorsTo(&quiet);
  text.AllowPartialMessage(true);
  if (!text.ParseFromString(std::string(input), &request) &&
      !request.ParseFromArray(input.data(), static_cast<int>(input.size()))) {
    return;
  }
  absl::Status alone = pairing::ValidateProfile(request.profile());
  if (!alone.ok()) CheckRefusal(alone);

  absl::StatusOr<PartnerProfile> updated = pairing::ApplyProfileUpdate(
      pairing::DefaultProfile(), request.profile(), request.update_mask());
  if (!updated.ok()) {
    CheckRefusal(updated.status());
    return;
  }
  CheckAcceptedProfile(*updated);
}

}  // namespace
}  // namespace tend::fuzz

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  // Bytes that are not a valid message make protobuf complain on stderr.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tend::fuzz::Run(tend::fuzz::AsText(data, size));
  return 0;
}
