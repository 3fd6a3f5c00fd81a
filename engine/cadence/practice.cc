#include "engine/cadence/practice.h"

namespace tend::engine {

absl::string_view PracticeName(Practice practice) {
  switch (practice) {
    case Practice::kTimeTogether:
      return "TIME_TOGETHER";
    case Practice::kListening:
      return "LISTENING";
    case Practice::kDeeperQuestions:
      return "DEEPER_QUESTIONS";
    case Practice::kVulnerability:
      return "VULNERABILITY";
    case Practice::kSmallActs:
      return "SMALL_ACTS";
    case Practice::kLoveLanguages:
      return "LOVE_LANGUAGES";
    case Practice::kTouch:
      return "TOUCH";
    case Practice::kFun:
      return "FUN";
    case Practice::kRepair:
      return "REPAIR";
    case Practice::kCheckIn:
      return "CHECK_IN";
    case Practice::kRecognizeDisconnection:
      return "RECOGNIZE_DISCONNECTION";
    case Practice::kGardenReview:
      return "GARDEN_REVIEW";
    case Practice::kUnspecified:
      break;
  }
  return "UNSPECIFIED";
}

}  // namespace tend::engine
