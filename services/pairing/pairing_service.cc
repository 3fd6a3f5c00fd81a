#include "services/pairing/pairing_service.h"

#include "services/common/rpc.h"

namespace tend::pairing {

using services::Serve;

grpc::Status PairingServiceImpl::CreateInvite(
    grpc::ServerContext* context, const v1::CreateInviteRequest* request,
    v1::Invite* response) {
  return Serve(auth_, context, *request, response, pairing_,
               &Pairing::CreateInvite);
}

grpc::Status PairingServiceImpl::AcceptInvite(
    grpc::ServerContext* context, const v1::AcceptInviteRequest* request,
    v1::Couple* response) {
  return Serve(auth_, context, *request, response, pairing_,
               &Pairing::AcceptInvite);
}

grpc::Status PairingServiceImpl::GetCouple(grpc::ServerContext* context,
                                           const v1::GetCoupleRequest* request,
                                           v1::Couple* response) {
  return Serve(auth_, context, *request, response, pairing_,
               &Pairing::GetCouple);
}

grpc::Status PairingServiceImpl::UpdateCouple(
    grpc::ServerContext* context, const v1::UpdateCoupleRequest* request,
    v1::Couple* response) {
  return Serve(auth_, context, *request, response, pairing_,
               &Pairing::UpdateCouple);
}

grpc::Status PairingServiceImpl::GetPartnerProfile(
    grpc::ServerContext* context, const v1::GetPartnerProfileRequest* request,
    v1::PartnerProfile* response) {
  return Serve(auth_, context, *request, response, pairing_,
               &Pairing::GetPartnerProfile);
}

grpc::Status PairingServiceImpl::UpdatePartnerProfile(
    grpc::ServerContext* context,
    const v1::UpdatePartnerProfileRequest* request,
    v1::PartnerProfile* response) {
  return Serve(auth_, context, *request, response, pairing_,
               &Pairing::UpdatePartnerProfile);
}

grpc::Status PairingServiceImpl::Unpair(grpc::ServerContext* context,
                                        const v1::UnpairRequest* request,
                                        v1::UnpairResponse* response) {
  return Serve(auth_, context, *request, response, pairing_, &Pairing::Unpair);
}

grpc::Status PairingServiceImpl::ExportMyData(
    grpc::ServerContext* context, const v1::ExportMyDataRequest* request,
    v1::ExportMyDataResponse* response) {
  return Serve(auth_, context, *request, response, pairing_,
               &Pairing::ExportMyData);
}

grpc::Status PairingServiceImpl::DeleteMyData(
    grpc::ServerContext* context, const v1::DeleteMyDataRequest* request,
    v1::DeleteMyDataResponse* response) {
  return Serve(auth_, context, *request, response, pairing_,
               &Pairing::DeleteMyData);
}

grpc::Status PairingServiceImpl::LookupCouple(
    grpc::ServerContext* context, const v1::LookupCoupleRequest* request,
    v1::Couple* response) {
  return Serve(auth_, context, *request, response, pairing_,
               &Pairing::LookupCouple);
}

}  // namespace tend::pairing
