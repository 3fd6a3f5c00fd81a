// The twelve practices Tend turns into features.
//
// Ritual templates, catalog items and the cadence model's emphasis are all
// tagged with a Practice. The values mirror `tend.type.v1.Practice`, so the
// service layer converts with a static_cast:
//
//   tend::engine::Practice p = tend::engine::Practice::kRepair;
//   absl::string_view name = tend::engine::PracticeName(p);  // "REPAIR"
//   auto wire = static_cast<tend::type::v1::Practice>(p);
#ifndef TEND_ENGINE_CADENCE_PRACTICE_H_
#define TEND_ENGINE_CADENCE_PRACTICE_H_

#include "absl/strings/string_view.h"

namespace tend::engine {

// Practice
//
// One everyday practice of a close relationship. Numbered as the proto enum.
enum class Practice {
  kUnspecified = 0,
  kTimeTogether = 1,             // create time and space for each other
  kListening = 2,                // deep, active listening
  kDeeperQuestions = 3,          // ask better questions
  kVulnerability = 4,            // go first with vulnerability
  kSmallActs = 5,                // small, consistent acts
  kLoveLanguages = 6,            // speak the partner's love language
  kTouch = 7,                    // touch and affection
  kFun = 8,                      // have fun together
  kRepair = 9,                   // heal the past
  kCheckIn = 10,                 // check in before there is a crisis
  kRecognizeDisconnection = 11,  // notice the signs of distance
  kGardenReview = 12,            // a periodic look at the whole garden
};

// PracticeName()
//
// The proto name without its prefix, e.g. "TIME_TOGETHER"; "UNSPECIFIED" for
// values outside the enum.
absl::string_view PracticeName(Practice practice);

}  // namespace tend::engine

#endif  // TEND_ENGINE_CADENCE_PRACTICE_H_
