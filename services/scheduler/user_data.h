// Helpers shared by the scheduler's per-person views: a device as its
// owner may see it (devices.cc), used by ListDevices and by the person's
// export (user_data.cc).
#ifndef TEND_SERVICES_SCHEDULER_USER_DATA_H_
#define TEND_SERVICES_SCHEDULER_USER_DATA_H_

#include "tend/scheduler/v1/scheduler.pb.h"

namespace tend::scheduler {

// PublicDevice()
//
// `device` without its token and webhook signing secret: what leaves the
// service (the token survives only as token_hint).
v1::Device PublicDevice(v1::Device device);

}  // namespace tend::scheduler

#endif  // TEND_SERVICES_SCHEDULER_USER_DATA_H_
