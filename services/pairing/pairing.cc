#include "services/pairing/pairing.h"

#include "absl/strings/str_cat.h"
#include "engine/base/log.h"
#include "engine/base/status_macros.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "services/pairing/invite_code.h"
#include "services/pairing/profile.h"

namespace tend::pairing {
namespace {

using google::protobuf::util::TimeUtil;

google::protobuf::Timestamp ToProto(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

// Person-to-person RPCs are for people; a service token has no couple.
absl::Status RequireUser(const Caller& caller) {
  if (caller.is_service) {
    return absl::PermissionDeniedError(
        "authorization: this method is for users, not services");
  }
  return absl::OkStatus();
}

absl::Status NotPaired() {
  return absl::NotFoundError("couple: the caller is not in a couple");
}

}  // namespace

Pairing::Pairing(engine::RedisClient* redis, const engine::Clock* clock,
                 PairingOptions options)
    : store_(redis),
      request_log_(redis, absl::StrCat(kKeyPrefix, "req:")),
      clock_(clock),
      options_(options) {}

absl::StatusOr<v1::PartnerProfile> Pairing::ProfileOf(const std::string& user) {
  TEND_ASSIGN_OR_RETURN(v1::PartnerProfile stored, store_.LoadProfile(user));
  if (stored.ByteSizeLong() == 0) return DefaultProfile();
  return stored;
}

absl::StatusOr<v1::Couple> Pairing::ToCouple(const CoupleRecord& record) {
  v1::Couple couple;
  couple.set_name(absl::StrCat("couples/", record.id));
  *couple.mutable_create_time() = ToProto(record.create_time);
  for (const std::string& user : {record.inviter, record.invitee}) {
    v1::Partner* partner = couple.add_partners();
    partner->set_user_id(user);
    TEND_ASSIGN_OR_RETURN(*partner->mutable_profile(), ProfileOf(user));
  }
  couple.set_home_time_zone(record.home_time_zone.empty()
                                ? couple.partners(0).profile().time_zone()
                                : record.home_time_zone);
  return couple;
}

absl::StatusOr<v1::Couple> Pairing::CoupleOfUser(const std::string& user) {
  TEND_ASSIGN_OR_RETURN(std::optional<CoupleRecord> record,
                        store_.CoupleOf(user));
  if (!record.has_value()) return NotPaired();
  return ToCouple(*record);
}

absl::StatusOr<v1::Invite> Pairing::CreateInvite(
    const Caller& caller, const v1::CreateInviteRequest& req) {
  TEND_RETURN_IF_ERROR(RequireUser(caller));
  return request_log_.Once<v1::Invite>(
      caller, "CreateInvite", req.request_id(),
      [&]() -> absl::StatusOr<v1::Invite> {
        const absl::Time now = clock_->Now();
        const absl::Time expire = now + options_.invite_ttl;
        // A taken code (ABORTED) is astronomically rare; draw again.
        for (int attempt = 0; attempt < 3; ++attempt) {
          TEND_ASSIGN_OR_RETURN(std::string display, NewInviteCode());
          TEND_ASSIGN_OR_RETURN(std::string code, NormalizeInviteCode(display));
          absl::Status saved =
              store_.SaveInvite(caller.user_id, code, expire, now);
          if (absl::IsAborted(saved)) continue;
          TEND_RETURN_IF_ERROR(saved);
          Log(LogLevel::kInfo, "invite.created", {{"user", caller.user_id}});
          v1::Invite invite;
          invite.set_code(display);
          *invite.mutable_expire_time() = ToProto(expire);
          return invite;
        }
        return absl::UnavailableError("code: could not draw a free code");
      });
}

absl::StatusOr<v1::Couple> Pairing::AcceptInvite(
    const Caller& caller, const v1::AcceptInviteRequest& req) {
  TEND_RETURN_IF_ERROR(RequireUser(caller));
  TEND_ASSIGN_OR_RETURN(std::string code, NormalizeInviteCode(req.code()));
  return request_log_.Once<v1::Couple>(
      caller, "AcceptInvite", req.request_id(),
      [&]() -> absl::StatusOr<v1::Couple> {
        TEND_ASSIGN_OR_RETURN(std::string new_id, NewCoupleId());
        TEND_ASSIGN_OR_RETURN(
            CoupleRecord record,
            store_.AcceptInvite(caller.user_id, code, new_id, clock_->Now(),
                                options_.accept_limits));
        Log(LogLevel::kInfo, "couple.formed",
            {{"user", caller.user_id}, {"couple", record.id}});
        return ToCouple(record);
      });
}

absl::StatusOr<v1::Couple> Pairing::GetCouple(const Caller& caller,
                                              const v1::GetCoupleRequest&) {
  TEND_RETURN_IF_ERROR(RequireUser(caller));
  return CoupleOfUser(caller.user_id);
}

absl::StatusOr<v1::Couple> Pairing::UpdateCouple(
    const Caller& caller, const v1::UpdateCoupleRequest& req) {
  TEND_RETURN_IF_ERROR(RequireUser(caller));
  TEND_RETURN_IF_ERROR(services::ValidateRequestId(req.request_id()));
  for (const std::string& path : req.update_mask().paths()) {
    if (path != "home_time_zone") {
      return absl::InvalidArgumentError(
          absl::StrCat("update_mask.paths: '", path,
                       "' cannot change; only home_time_zone"));
    }
  }
  TEND_RETURN_IF_ERROR(
      ValidateTimeZone("couple.home_time_zone", req.couple().home_time_zone()));
  TEND_RETURN_IF_ERROR(
      store_.SetHomeTimeZone(caller.user_id, req.couple().home_time_zone()));
  return CoupleOfUser(caller.user_id);
}

absl::StatusOr<v1::PartnerProfile> Pairing::GetPartnerProfile(
    const Caller& caller, const v1::GetPartnerProfileRequest&) {
  TEND_RETURN_IF_ERROR(RequireUser(caller));
  return ProfileOf(caller.user_id);
}

absl::StatusOr<v1::PartnerProfile> Pairing::UpdatePartnerProfile(
    const Caller& caller, const v1::UpdatePartnerProfileRequest& req) {
  TEND_RETURN_IF_ERROR(RequireUser(caller));
  TEND_RETURN_IF_ERROR(services::ValidateRequestId(req.request_id()));
  TEND_ASSIGN_OR_RETURN(v1::PartnerProfile current, ProfileOf(caller.user_id));
  TEND_ASSIGN_OR_RETURN(
      v1::PartnerProfile updated,
      ApplyProfileUpdate(current, req.profile(), req.update_mask()));
  // Zones, windows, budget and name shape reminders: when one of them
  // changed, the scheduler re-plans the couple. Love languages only steer
  // the prompt service's choice at send time.
  v1::PartnerProfile before = current, after = updated;
  before.clear_love_language_ranking();
  after.clear_love_language_ranking();
  const bool moves_reminders =
      !google::protobuf::util::MessageDifferencer::Equals(before, after);
  TEND_RETURN_IF_ERROR(
      store_.SaveProfile(caller.user_id, updated, moves_reminders));
  Log(LogLevel::kInfo, "profile.updated", {{"user", caller.user_id}});
  return updated;
}

absl::StatusOr<v1::UnpairResponse> Pairing::Unpair(
    const Caller& caller, const v1::UnpairRequest& req) {
  TEND_RETURN_IF_ERROR(RequireUser(caller));
  TEND_RETURN_IF_ERROR(services::ValidateRequestId(req.request_id()));
  const absl::Time erase_time =
      req.erase_now() ? clock_->Now() : clock_->Now() + options_.undo_window;
  TEND_ASSIGN_OR_RETURN(
      UnpairResult result,
      store_.Unpair(caller.user_id, erase_time, req.erase_now()));
  // Quiet on purpose: the partner gets no push about it.
  Log(LogLevel::kInfo, "couple.unpaired",
      {{"user", caller.user_id},
       {"couple", result.couple_id},
       {"erase_now", req.erase_now()}});
  v1::UnpairResponse response;
  *response.mutable_erase_time() = ToProto(erase_time);
  return response;
}

absl::StatusOr<v1::ExportMyDataResponse> Pairing::ExportMyData(
    const Caller& caller, const v1::ExportMyDataRequest&) {
  TEND_RETURN_IF_ERROR(RequireUser(caller));
  TEND_ASSIGN_OR_RETURN(nlohmann::json data, store_.Export(caller.user_id));
  if (data.contains("couple")) {
    // The stored zone may be empty, meaning "the inviter's": export what
    // the couple actually uses.
    TEND_ASSIGN_OR_RETURN(v1::Couple couple, CoupleOfUser(caller.user_id));
    data["couple"]["home_time_zone"] = couple.home_time_zone();
  }
  data["service"] = "pairing";
  data["export_time"] =
      absl::FormatTime(absl::RFC3339_sec, clock_->Now(), absl::UTCTimeZone());
  if (exports_ != nullptr) {
    // Each other service's document under its name: all or nothing.
    TEND_ASSIGN_OR_RETURN(nlohmann::json parts,
                          exports_->Collect(caller.user_id));
    data.update(parts);
  }
  v1::ExportMyDataResponse response;
  response.set_json(data.dump(2));
  return response;
}

absl::StatusOr<v1::DeleteMyDataResponse> Pairing::DeleteMyData(
    const Caller& caller, const v1::DeleteMyDataRequest& req) {
  TEND_RETURN_IF_ERROR(RequireUser(caller));
  TEND_RETURN_IF_ERROR(services::ValidateRequestId(req.request_id()));
  TEND_ASSIGN_OR_RETURN(int erased, store_.DeleteUser(caller.user_id));
  Log(LogLevel::kInfo, "user.erased",
      {{"user", caller.user_id}, {"records", erased}});
  v1::DeleteMyDataResponse response;
  response.set_erased_records(erased);
  return response;
}

absl::StatusOr<v1::Couple> Pairing::LookupCouple(
    const Caller& caller, const v1::LookupCoupleRequest& req) {
  if (!caller.is_service) {
    return absl::PermissionDeniedError(
        "authorization: LookupCouple needs a service token");
  }
  TEND_RETURN_IF_ERROR(services::ValidateUserId("user_id", req.user_id()));
  return CoupleOfUser(req.user_id());
}

absl::StatusOr<int> Pairing::PurgeDissolved() {
  TEND_ASSIGN_OR_RETURN(int erased, store_.PurgeDissolved(clock_->Now()));
  if (erased > 0) {
    Log(LogLevel::kInfo, "couple.history_erased", {{"couples", erased}});
  }
  return erased;
}

}  // namespace tend::pairing
