// PromptServiceImpl: the gRPC layer of tend.prompt.v1.PromptService.
//
// One line per RPC: authenticate, call Prompt, map the status (see
// services/common/rpc.h). All behaviour lives in Prompt. The one twist is
// GetDailyQuestion, which hands Prompt the caller's own authorization so
// the couple's cadence can be read from the scheduler as that person.
#ifndef TEND_SERVICES_PROMPT_PROMPT_SERVICE_H_
#define TEND_SERVICES_PROMPT_PROMPT_SERVICE_H_

#include "services/common/auth.h"
#include "services/prompt/prompt.h"
#include "tend/prompt/v1/prompt.grpc.pb.h"

namespace tend::prompt {

// PromptServiceImpl
//
// Holds references only; `auth` and `prompt` must outlive it.
class PromptServiceImpl final : public v1::PromptService::Service {
 public:
  PromptServiceImpl(const services::Authenticator* auth, Prompt* prompt)
      : auth_(*auth), prompt_(prompt) {}

  grpc::Status GetCatalogItem(grpc::ServerContext* context,
                              const v1::GetCatalogItemRequest* request,
                              v1::CatalogItem* response) override;
  grpc::Status ListCatalogItems(
      grpc::ServerContext* context, const v1::ListCatalogItemsRequest* request,
      v1::ListCatalogItemsResponse* response) override;
  grpc::Status GetDailyQuestion(grpc::ServerContext* context,
                                const v1::GetDailyQuestionRequest* request,
                                v1::Question* response) override;
  grpc::Status GetQuestion(grpc::ServerContext* context,
                           const v1::GetQuestionRequest* request,
                           v1::Question* response) override;
  grpc::Status ListQuestions(grpc::ServerContext* context,
                             const v1::ListQuestionsRequest* request,
                             v1::ListQuestionsResponse* response) override;
  grpc::Status AnswerQuestion(grpc::ServerContext* context,
                              const v1::AnswerQuestionRequest* request,
                              v1::Answer* response) override;
  grpc::Status GetAnswers(grpc::ServerContext* context,
                          const v1::GetAnswersRequest* request,
                          v1::GetAnswersResponse* response) override;
  grpc::Status ListJournalEntries(
      grpc::ServerContext* context,
      const v1::ListJournalEntriesRequest* request,
      v1::ListJournalEntriesResponse* response) override;
  grpc::Status CreateCustomQuestion(
      grpc::ServerContext* context,
      const v1::CreateCustomQuestionRequest* request,
      v1::CustomQuestion* response) override;
  grpc::Status ListCustomQuestions(
      grpc::ServerContext* context,
      const v1::ListCustomQuestionsRequest* request,
      v1::ListCustomQuestionsResponse* response) override;
  grpc::Status DeleteCustomQuestion(
      grpc::ServerContext* context,
      const v1::DeleteCustomQuestionRequest* request,
      google::protobuf::Empty* response) override;
  grpc::Status SuggestGesture(grpc::ServerContext* context,
                              const v1::SuggestGestureRequest* request,
                              v1::GestureSuggestion* response) override;
  grpc::Status GetReminderContent(grpc::ServerContext* context,
                                  const v1::GetReminderContentRequest* request,
                                  type::v1::ReminderContent* response) override;
  grpc::Status GetLoveLanguageQuiz(
      grpc::ServerContext* context,
      const v1::GetLoveLanguageQuizRequest* request,
      v1::LoveLanguageQuiz* response) override;
  grpc::Status SubmitQuizAnswers(grpc::ServerContext* context,
                                 const v1::SubmitQuizAnswersRequest* request,
                                 v1::LoveLanguageQuizResult* response) override;
  grpc::Status GetConnectionCheck(grpc::ServerContext* context,
                                  const v1::GetConnectionCheckRequest* request,
                                  v1::ConnectionCheck* response) override;
  grpc::Status SubmitConnectionCheck(
      grpc::ServerContext* context,
      const v1::SubmitConnectionCheckRequest* request,
      v1::ConnectionCheckResult* response) override;
  grpc::Status GetConnectionSummary(
      grpc::ServerContext* context,
      const v1::GetConnectionSummaryRequest* request,
      v1::ConnectionSummary* response) override;
  grpc::Status ExportUserData(grpc::ServerContext* context,
                              const v1::ExportUserDataRequest* request,
                              v1::ExportUserDataResponse* response) override;
  grpc::Status EraseUserData(grpc::ServerContext* context,
                             const v1::EraseUserDataRequest* request,
                             v1::EraseUserDataResponse* response) override;
  grpc::Status EraseCoupleData(grpc::ServerContext* context,
                               const v1::EraseCoupleDataRequest* request,
                               v1::EraseCoupleDataResponse* response) override;

 private:
  const services::Authenticator& auth_;
  Prompt* const prompt_;
};

}  // namespace tend::prompt

#endif  // TEND_SERVICES_PROMPT_PROMPT_SERVICE_H_
