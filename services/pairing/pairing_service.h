// PairingServiceImpl: the gRPC layer of tend.pairing.v1.PairingService.
//
// One line per RPC: authenticate, call Pairing, map the status (see
// services/common/rpc.h). All behaviour lives in Pairing.
#ifndef TEND_SERVICES_PAIRING_PAIRING_SERVICE_H_
#define TEND_SERVICES_PAIRING_PAIRING_SERVICE_H_

#include "services/common/auth.h"
#include "services/pairing/pairing.h"
#include "tend/pairing/v1/pairing.grpc.pb.h"

namespace tend::pairing {

// PairingServiceImpl
//
// Holds references only; `auth` and `pairing` must outlive it.
class PairingServiceImpl final : public v1::PairingService::Service {
 public:
  PairingServiceImpl(const services::Authenticator* auth, Pairing* pairing)
      : auth_(*auth), pairing_(pairing) {}

  grpc::Status CreateInvite(grpc::ServerContext* context,
                            const v1::CreateInviteRequest* request,
                            v1::Invite* response) override;
  grpc::Status AcceptInvite(grpc::ServerContext* context,
                            const v1::AcceptInviteRequest* request,
                            v1::Couple* response) override;
  grpc::Status GetCouple(grpc::ServerContext* context,
                         const v1::GetCoupleRequest* request,
                         v1::Couple* response) override;
  grpc::Status UpdateCouple(grpc::ServerContext* context,
                            const v1::UpdateCoupleRequest* request,
                            v1::Couple* response) override;
  grpc::Status GetPartnerProfile(grpc::ServerContext* context,
                                 const v1::GetPartnerProfileRequest* request,
                                 v1::PartnerProfile* response) override;
  grpc::Status UpdatePartnerProfile(
      grpc::ServerContext* context,
      const v1::UpdatePartnerProfileRequest* request,
      v1::PartnerProfile* response) override;
  grpc::Status Unpair(grpc::ServerContext* context,
                      const v1::UnpairRequest* request,
                      v1::UnpairResponse* response) override;
  grpc::Status ExportMyData(grpc::ServerContext* context,
                            const v1::ExportMyDataRequest* request,
                            v1::ExportMyDataResponse* response) override;
  grpc::Status DeleteMyData(grpc::ServerContext* context,
                            const v1::DeleteMyDataRequest* request,
                            v1::DeleteMyDataResponse* response) override;
  grpc::Status LookupCouple(grpc::ServerContext* context,
                            const v1::LookupCoupleRequest* request,
                            v1::Couple* response) override;

 private:
  const services::Authenticator& auth_;
  Pairing* const pairing_;
};

}  // namespace tend::pairing

#endif  // TEND_SERVICES_PAIRING_PAIRING_SERVICE_H_
