// tendctl's pairing commands: tend.pairing.v1.PairingService at
// --pairing_addr, one command per RPC a person uses.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "engine/base/status_macros.h"
#include "engine/time/clock.h"
#include "nlohmann/json.hpp"
#include "services/common/flags.h"
#include "services/tendctl/cli.h"
#include "services/tendctl/commands.h"
#include "tend/pairing/v1/pairing.grpc.pb.h"

ABSL_FLAG(std::string, name, "",
          "profile set: your display name, as your partner sees it (1 to 64 "
          "characters).");
ABSL_FLAG(std::string, tz, "",
          "profile set: your IANA time zone, e.g. America/New_York or "
          "Europe/London. Never a fixed offset.");
ABSL_FLAG(std::string, quiet, "",
          "profile set: quiet hours as HH:MM-HH:MM in your zone, e.g. "
          "22:00-07:00 (a window may wrap past midnight). No push arrives "
          "inside them.");
ABSL_FLAG(std::string, waking, "",
          "profile set: waking hours as HH:MM-HH:MM in your zone, e.g. "
          "07:00-22:00. Shared rituals fall inside both partners' waking "
          "hours.");
ABSL_FLAG(std::string, languages, "",
          "profile set: the five love languages, most felt first, comma "
          "separated: touch, time, words, service, gifts (e.g. "
          "time,words,touch,service,gifts). 'none' clears the ranking.");
ABSL_FLAG(std::string, leave, "",
          "profile set: when you usually leave for work, HH:MM, for gestures "
          "timed before it. 'none' clears it.");
ABSL_FLAG(int32_t, budget, 0,
          "profile set: the most reminders you receive in one local day, 1 to "
          "20.");
ABSL_FLAG(bool, erase_now, false,
          "unpair: erase the couple's shared history now instead of after the "
          "undo window.");

namespace tend::tendctl {
namespace {

namespace v1 = ::tend::pairing::v1;
using Stub = v1::PairingService::Stub;

// The flags `profile set` reads, in the order of PartnerProfile's fields.
const std::vector<std::string> kProfileFlags = {
    "name", "tz", "quiet", "waking", "languages", "leave", "budget"};

absl::StatusOr<std::unique_ptr<Stub>> PairingStub() {
  TEND_ASSIGN_OR_RETURN(
      std::shared_ptr<grpc::Channel> channel,
      OpenChannel("pairing_addr", absl::GetFlag(FLAGS_pairing_addr)));
  return v1::PairingService::NewStub(channel);
}

absl::Time Now() { return engine::RealClock::Get()->Now(); }

// One "label  value" line of a profile.
std::string Row(absl::string_view label, absl::string_view value) {
  return absl::StrFormat("  %-16s %s\n", label, value);
}

// A profile as labelled lines, indented by two.
std::string FormatProfile(const v1::PartnerProfile& profile) {
  std::vector<std::string> ranking;
  for (int language : profile.love_language_ranking()) {
    ranking.push_back(FormatLoveLanguage(
        static_cast<tend::type::v1::LoveLanguage>(language)));
  }
  return absl::StrCat(
      Row("name", profile.display_name().empty() ? "(not set)"
                                                 : profile.display_name()),
      Row("time zone", FormatZoneNow(profile.time_zone(), Now())),
      Row("quiet hours", FormatTimeWindow(profile.quiet_hours())),
      Row("waking hours", FormatTimeWindow(profile.waking_hours())),
      Row("love languages",
          ranking.empty() ? "(not ranked)" : absl::StrJoin(ranking, " > ")),
      Row("leaves for work",
          profile.has_leave_for_work_time()
              ? FormatTimeOfDay(profile.leave_for_work_time())
              : "(no routine)"),
      Row("daily budget",
          absl::StrCat(profile.daily_notification_budget(), " reminders")));
}

// "alice (you)".
std::string Heading(absl::string_view user_id) {
  return absl::StrCat(user_id, user_id == CallerUserId() ? " (you)" : "", "\n");
}

std::string FormatCouple(const v1::Couple& couple) {
  std::string text = absl::StrCat(
      couple.name(), ", paired ",
      FormatInstant(FromTimestamp(couple.create_time())),
      "\nhome time zone: ", FormatZoneNow(couple.home_time_zone(), Now()),
      "\n");
  for (const v1::Partner& partner : couple.partners()) {
    absl::StrAppend(&text, "\n", Heading(partner.user_id()),
                    FormatProfile(partner.profile()));
  }
  return text;
}

absl::Status RunInvite(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {}));
  TEND_ASSIGN_OR_RETURN(std::unique_ptr<Stub> stub, PairingStub());
  v1::Invite invite;
  TEND_RETURN_IF_ERROR(
      Call(*stub, &Stub::CreateInvite, v1::CreateInviteRequest(), &invite));
  const absl::Time expire_time = FromTimestamp(invite.expire_time());
  return Emit(invite,
              absl::StrCat("Invite code: ", invite.code(),
                           "\nIt works once and expires in ",
                           DurationInWords(expire_time - Now()), " (",
                           FormatInstant(expire_time),
                           ").\nYour partner accepts it with: tendctl accept ",
                           invite.code(), "\n"));
}

absl::Status RunAccept(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {"CODE"}));
  TEND_ASSIGN_OR_RETURN(std::unique_ptr<Stub> stub, PairingStub());
  v1::AcceptInviteRequest request;
  request.set_code(args[0]);
  v1::Couple couple;
  TEND_RETURN_IF_ERROR(Call(*stub, &Stub::AcceptInvite, request, &couple));
  return Emit(couple,
              absl::StrCat("You are paired.\n\n", FormatCouple(couple)));
}

absl::Status RunCouple(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {}));
  TEND_ASSIGN_OR_RETURN(std::unique_ptr<Stub> stub, PairingStub());
  v1::Couple couple;
  TEND_RETURN_IF_ERROR(
      Call(*stub, &Stub::GetCouple, v1::GetCoupleRequest(), &couple));
  return Emit(couple, FormatCouple(couple));
}

absl::Status RunProfile(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {}));
  for (const std::string& flag : kProfileFlags) {
    const absl::CommandLineFlag* changed = absl::FindCommandLineFlag(flag);
    if (changed->CurrentValue() != changed->DefaultValue()) {
      return UsageError(absl::StrCat("--", flag,
                                     " changes a profile; did you mean "
                                     "'tendctl profile set'?"));
    }
  }
  TEND_ASSIGN_OR_RETURN(std::unique_ptr<Stub> stub, PairingStub());
  v1::PartnerProfile profile;
  TEND_RETURN_IF_ERROR(Call(*stub, &Stub::GetPartnerProfile,
                            v1::GetPartnerProfileRequest(), &profile));
  return Emit(profile,
              absl::StrCat(Heading(CallerUserId()), FormatProfile(profile)));
}

// Fills `request` from the profile flags given, naming exactly those
// fields in its update_mask.
absl::Status ProfileUpdateFromFlags(v1::UpdatePartnerProfileRequest* request) {
  v1::PartnerProfile* profile = request->mutable_profile();
  google::protobuf::FieldMask* mask = request->mutable_update_mask();
  if (const std::string name = absl::GetFlag(FLAGS_name); !name.empty()) {
    profile->set_display_name(name);
    mask->add_paths("display_name");
  }
  if (const std::string tz = absl::GetFlag(FLAGS_tz); !tz.empty()) {
    profile->set_time_zone(tz);
    mask->add_paths("time_zone");
  }
  if (const std::string quiet = absl::GetFlag(FLAGS_quiet); !quiet.empty()) {
    TEND_ASSIGN_OR_RETURN(*profile->mutable_quiet_hours(),
                          ParseTimeWindow("quiet", quiet));
    mask->add_paths("quiet_hours");
  }
  if (const std::string waking = absl::GetFlag(FLAGS_waking); !waking.empty()) {
    TEND_ASSIGN_OR_RETURN(*profile->mutable_waking_hours(),
                          ParseTimeWindow("waking", waking));
    mask->add_paths("waking_hours");
  }
  if (const std::string languages = absl::GetFlag(FLAGS_languages);
      !languages.empty()) {
    TEND_ASSIGN_OR_RETURN(
        const std::vector<tend::type::v1::LoveLanguage> ranking,
        ParseLoveLanguages("languages", languages));
    for (tend::type::v1::LoveLanguage language : ranking) {
      profile->add_love_language_ranking(language);
    }
    mask->add_paths("love_language_ranking");
  }
  if (const std::string leave = absl::GetFlag(FLAGS_leave); !leave.empty()) {
    if (absl::AsciiStrToLower(leave) != "none") {
      TEND_ASSIGN_OR_RETURN(*profile->mutable_leave_for_work_time(),
                            ParseTimeOfDay("leave", leave));
    }
    mask->add_paths("leave_for_work_time");
  }
  if (const int32_t budget = absl::GetFlag(FLAGS_budget); budget != 0) {
    profile->set_daily_notification_budget(budget);
    mask->add_paths("daily_notification_budget");
  }
  if (mask->paths().empty()) {
    return UsageError(
        "nothing to change: pass at least one of --name, --tz, --quiet, "
        "--waking, --languages, --leave, --budget");
  }
  return absl::OkStatus();
}

absl::Status RunProfileSet(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {}));
  v1::UpdatePartnerProfileRequest request;
  TEND_RETURN_IF_ERROR(ProfileUpdateFromFlags(&request));
  TEND_ASSIGN_OR_RETURN(std::unique_ptr<Stub> stub, PairingStub());
  v1::PartnerProfile profile;
  TEND_RETURN_IF_ERROR(
      Call(*stub, &Stub::UpdatePartnerProfile, request, &profile));
  return Emit(
      profile,
      absl::StrCat("Updated ",
                   absl::StrJoin(request.update_mask().paths(), ", "), ".\n\n",
                   Heading(CallerUserId()), FormatProfile(profile)));
}

absl::Status RunUnpair(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {}));
  TEND_ASSIGN_OR_RETURN(std::unique_ptr<Stub> stub, PairingStub());
  v1::UnpairRequest request;
  request.set_erase_now(absl::GetFlag(FLAGS_erase_now));
  v1::UnpairResponse response;
  TEND_RETURN_IF_ERROR(Call(*stub, &Stub::Unpair, request, &response));
  std::string human = "Unpaired. Your partner gets no notification.\n";
  if (request.erase_now()) {
    absl::StrAppend(&human, "Your shared history is erased.\n");
  } else {
    const absl::Time erase_time = FromTimestamp(response.erase_time());
    absl::StrAppend(&human,
                    "Your shared history is kept, readable to nobody, for ",
                    DurationInWords(erase_time - Now()), " (until ",
                    FormatInstant(erase_time),
                    "); pair again before then to get it back.\n");
  }
  return Emit(response, human);
}

absl::Status RunExport(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {}));
  TEND_ASSIGN_OR_RETURN(std::unique_ptr<Stub> stub, PairingStub());
  v1::ExportMyDataResponse response;
  TEND_RETURN_IF_ERROR(
      Call(*stub, &Stub::ExportMyData, v1::ExportMyDataRequest(), &response));
  const nlohmann::json document = nlohmann::json::parse(
      response.json(), nullptr, /*allow_exceptions=*/false);
  return Emit(response,
              document.is_discarded() ? response.json() : document.dump(2));
}

absl::Status RunDeleteMe(const std::vector<std::string>& args) {
  TEND_RETURN_IF_ERROR(ExpectArgs(args, {}));
  TEND_ASSIGN_OR_RETURN(std::unique_ptr<Stub> stub, PairingStub());
  v1::DeleteMyDataResponse response;
  TEND_RETURN_IF_ERROR(
      Call(*stub, &Stub::DeleteMyData, v1::DeleteMyDataRequest(), &response));
  return Emit(response,
              absl::StrCat("Erased ", response.erased_records(),
                           " records. The pairing service keeps nothing "
                           "about you now.\n"));
}

}  // namespace

std::vector<Command> PairingCommands() {
  std::vector<std::string> profile_set_flags = kProfileFlags;
  return {
      {"invite", "Create an invite code to share with your partner.", "",
       "Prints the code and when it expires. It works once, for 24 hours. "
       "FAILED_PRECONDITION when you are already in a couple.",
       CallFlags({}, "pairing_addr"), &RunInvite},
      {"accept", "Accept your partner's invite code and form your couple.",
       "CODE",
       "Case, spaces and dashes in CODE do not matter. Prints the new couple. "
       "NOT_FOUND for an unknown, used or expired code; INVALID_ARGUMENT for "
       "your own code; FAILED_PRECONDITION when either of you is already in "
       "a couple.",
       CallFlags({}, "pairing_addr"), &RunAccept},
      {"couple", "Show your couple: both partners and the home time zone.", "",
       "For each partner: name, time zone (with the time there now), quiet "
       "and waking hours, love-language ranking, leave-for-work time and "
       "daily reminder budget. NOT_FOUND when you are not paired.",
       CallFlags({}, "pairing_addr"), &RunCouple},
      {"profile", "Show your own profile.", "",
       "Someone who never saved a profile sees the defaults. To change it, "
       "use 'tendctl profile set'.",
       CallFlags({}, "pairing_addr"), &RunProfile},
      {"profile set", "Change fields of your profile.",
       "[--name N] [--tz ZONE] [--quiet 22:00-07:00] [--waking 07:00-22:00] "
       "[--languages touch,time,words,service,gifts] [--leave 08:15] "
       "[--budget 3]",
       "Changes exactly the fields whose flags are given (the update_mask "
       "names them) and prints the profile as saved. The service checks the "
       "values: an unknown time zone, an empty window or a ranking that is "
       "not all five languages once each is INVALID_ARGUMENT, and nothing "
       "is stored.",
       CallFlags(std::move(profile_set_flags), "pairing_addr"), &RunProfileSet},
      {"unpair", "Leave your couple, quietly.", "[--erase_now]",
       "Unlinks you both at once; your partner gets no push about it. The "
       "shared history stays readable to nobody and is erased after the "
       "undo window (during which you may pair again and get it back), or "
       "at once with --erase_now.",
       CallFlags({"erase_now"}, "pairing_addr"), &RunUnpair},
      {"export", "Print everything the pairing service stores about you.", "",
       "Prints the JSON document ExportMyData returns; with --json, the "
       "response message that carries it.",
       CallFlags({}, "pairing_addr"), &RunExport},
      {"delete-me", "Erase everything the pairing service stores about you.",
       "",
       "Unpairs you first when you are paired, then erases every record and "
       "prints how many. There is no undo.",
       CallFlags({}, "pairing_addr"), &RunDeleteMe},
  };
}

}  // namespace tend::tendctl
