#!/usr/bin/env bash
# Writes tests/fuzz/corpus/rpc_fuzz: one seed per line of SEEDS below, each
# "METHOD as CALLER" on its first line and then the request, encoded from
# text format with protoc. Re-run after changing SEEDS:
#   tests/fuzz/make_rpc_corpus.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
protos="$here/../../protos"
out="$here/corpus/rpc_fuzz"
mkdir -p "$out"

# name|method|caller|request type|request in text format
SEEDS='
profile|pairing.v1.PairingService/UpdatePartnerProfile|carol|pairing.v1.UpdatePartnerProfileRequest|profile { display_name: "Carol" time_zone: "Asia/Tokyo" } update_mask { paths: "display_name" paths: "time_zone" }
invite|pairing.v1.PairingService/CreateInvite|carol|pairing.v1.CreateInviteRequest|
accept|pairing.v1.PairingService/AcceptInvite|carol|pairing.v1.AcceptInviteRequest|code: "7KQ2M-X9DHT"
couple|pairing.v1.PairingService/GetCouple|bob|pairing.v1.GetCoupleRequest|
lookup|pairing.v1.PairingService/LookupCouple|service|pairing.v1.LookupCoupleRequest|user_id: "alice"
export|pairing.v1.PairingService/ExportMyData|alice|pairing.v1.ExportMyDataRequest|
create_ritual|scheduler.v1.SchedulerService/CreateRitual|alice|scheduler.v1.CreateRitualRequest|ritual { title: "Tea at four" kind: RITUAL_KIND_SHARED recurrence { rrule: "FREQ=WEEKLY;BYDAY=SA" dtstart { date { year: 2026 month: 12 day: 5 } time { hours: 16 } } time_zone: "Europe/London" } duration { seconds: 1800 } lead_times { seconds: 3600 } } ritual_id: "tea" request_id: "r-1"
create_personal|scheduler.v1.SchedulerService/CreateRitual|bob|scheduler.v1.CreateRitualRequest|ritual { title: "Goodbye text" kind: RITUAL_KIND_PERSONAL participant_user_ids: "bob" recurrence { rrule: "FREQ=DAILY" dtstart { date { year: 2026 month: 12 day: 1 } time { hours: 8 } } anchor: TIME_ANCHOR_LEAVE_FOR_WORK anchor_offset { seconds: -300 } } } validate_only: true
zone_path|scheduler.v1.SchedulerService/CreateRitual|alice|scheduler.v1.CreateRitualRequest|ritual { title: "x" kind: RITUAL_KIND_SHARED recurrence { rrule: "FREQ=DAILY" dtstart { date { year: 2026 month: 12 day: 5 } time { hours: 16 } } time_zone: "/dev/stdin" } } validate_only: true
zone_dotdot|scheduler.v1.SchedulerService/PreviewSchedule|bob|scheduler.v1.PreviewScheduleRequest|days: 3 draft { title: "y" kind: RITUAL_KIND_SHARED recurrence { rrule: "FREQ=WEEKLY" dtstart { date { year: 2026 month: 12 day: 6 } time { hours: 9 } } time_zone: "../../../../dev/stdin" } }
preview|scheduler.v1.SchedulerService/PreviewSchedule|alice|scheduler.v1.PreviewScheduleRequest|days: 14 include_proposed: true
rituals|scheduler.v1.SchedulerService/ListRituals|bob|scheduler.v1.ListRitualsRequest|
templates|scheduler.v1.SchedulerService/ListRitualTemplates|alice|scheduler.v1.ListRitualTemplatesRequest|
accept_all|scheduler.v1.SchedulerService/BatchAcceptRituals|alice|scheduler.v1.BatchAcceptRitualsRequest|
reminders|scheduler.v1.SchedulerService/ListReminders|alice|scheduler.v1.ListRemindersRequest|page_size: 50 recipient_user_id: "alice"
ack|scheduler.v1.SchedulerService/AcknowledgeReminder|bob|scheduler.v1.AcknowledgeReminderRequest|name: "couples/x/reminders/y" action: ACKNOWLEDGE_ACTION_SNOOZE snooze_duration { seconds: 600 } mood: 4
device|scheduler.v1.SchedulerService/RegisterDevice|alice|scheduler.v1.RegisterDeviceRequest|device { platform: DEVICE_PLATFORM_WEB_WEBHOOK webhook_url: "https://127.0.0.1:9/hook" webhook_signing_secret: "0123456789abcdef0123456789abcdef" display_name: "Laptop" }
watch|scheduler.v1.SchedulerService/WatchReminders|alice|scheduler.v1.WatchRemindersRequest|include_unanswered: true
cadence|scheduler.v1.SchedulerService/GetCadence|bob|scheduler.v1.GetCadenceRequest|
seed|scheduler.v1.SchedulerService/SeedDefaultRituals|service|scheduler.v1.SeedDefaultRitualsRequest|partner_user_ids: "alice" partner_user_ids: "bob"
calendar|scheduler.v1.SchedulerService/ExportCalendar|alice|scheduler.v1.ExportCalendarRequest|
daily|prompt.v1.PromptService/GetDailyQuestion|alice|prompt.v1.GetDailyQuestionRequest|date { year: 2026 month: 11 day: 26 }
answer|prompt.v1.PromptService/AnswerQuestion|bob|prompt.v1.AnswerQuestionRequest|name: "couples/x/questions/2026-11-26" text: "The walk by the river." journal: true
custom|prompt.v1.PromptService/CreateCustomQuestion|alice|prompt.v1.CreateCustomQuestionRequest|custom_question { text: "What song takes you back to our first summer?" }
catalog|prompt.v1.PromptService/ListCatalogItems|carol|prompt.v1.ListCatalogItemsRequest|page_size: 5
gesture|prompt.v1.PromptService/SuggestGesture|bob|prompt.v1.SuggestGestureRequest|
quiz|prompt.v1.PromptService/SubmitQuizAnswers|alice|prompt.v1.SubmitQuizAnswersRequest|quiz: "loveLanguageQuizzes/v1" answers { item_id: "q01" option_id: "a" }
check|prompt.v1.PromptService/SubmitConnectionCheck|alice|prompt.v1.SubmitConnectionCheckRequest|connection_check: "connectionChecks/v1" answers { item_id: "c01" rating: 2 }
content|prompt.v1.PromptService/GetReminderContent|service|prompt.v1.GetReminderContentRequest|ritual_template: "ritualTemplates/nightly-feelings" practice: PRACTICE_CHECK_IN recipient_user_id: "alice" locale: "en" shared: true
'

while IFS='|' read -r name method caller type text; do
  [ -n "$name" ] || continue
  proto="tend/${type%%.*}/v1/${type%%.*}.proto"
  {
    printf '/tend.%s as %s\n' "$method" "$caller"
    printf '%s\n' "$text" | protoc -I "$protos" --encode="tend.$type" "$proto"
  } >"$out/$name"
done <<<"$SEEDS"
ls "$out" | wc -l
