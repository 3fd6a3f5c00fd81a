#include "services/prompt/prompt_service.h"

#include <string>

#include "services/common/rpc.h"

namespace tend::prompt {
namespace {

using services::Serve;

// The caller's "authorization" metadata, already checked by Serve().
std::string Authorization(const grpc::ServerContext& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  return it == metadata.end()
             ? ""
             : std::string(it->second.data(), it->second.size());
}

// GetDailyQuestion with the caller's authorization at hand: the
// scheduler's GetCadence serves the couple's members only, so the prompt
// service reads it on behalf of the person it is serving.
struct OnBehalf {
  Prompt* prompt;
  std::string authorization;
  absl::StatusOr<v1::Question> GetDailyQuestion(
      const services::Caller& caller, const v1::GetDailyQuestionRequest& req) {
    return prompt->GetDailyQuestion(caller, req, authorization);
  }
};

}  // namespace

grpc::Status PromptServiceImpl::GetCatalogItem(
    grpc::ServerContext* context, const v1::GetCatalogItemRequest* request,
    v1::CatalogItem* response) {
  return Serve(auth_, context, *request, response, prompt_,
               &Prompt::GetCatalogItem);
}

grpc::Status PromptServiceImpl::ListCatalogItems(
    grpc::ServerContext* context, const v1::ListCatalogItemsRequest* request,
    v1::ListCatalogItemsResponse* response) {
  return Serve(auth_, context, *request, response, prompt_,
               &Prompt::ListCatalogItems);
}

grpc::Status PromptServiceImpl::GetDailyQuestion(
    grpc::ServerContext* context, const v1::GetDailyQuestionRequest* request,
    v1::Question* response) {
  OnBehalf on_behalf{prompt_, Authorization(*context)};
  return Serve(auth_, context, *request, response, &on_behalf,
               &OnBehalf::GetDailyQuestion);
}

grpc::Status PromptServiceImpl::GetQuestion(
    grpc::ServerContext* context, const v1::GetQuestionRequest* request,
    v1::Question* response) {
  return Serve(auth_, context, *request, response, prompt_,
               &Prompt::GetQuestion);
}

grpc::Status PromptServiceImpl::ListQuestions(
    grpc::ServerContext* context, const v1::ListQuestionsRequest* request,
    v1::ListQuestionsResponse* response) {
  return Serve(auth_, context, *request, response, prompt_,
               &Prompt::ListQuestions);
}

grpc::Status PromptServiceImpl::AnswerQuestion(
    grpc::ServerContext* context, const v1::AnswerQuestionRequest* request,
    v1::Answer* response) {
  return Serve(auth_, context, *request, response, prompt_,
               &Prompt::AnswerQuestion);
}

grpc::Status PromptServiceImpl::GetAnswers(grpc::ServerContext* context,
                                           const v1::GetAnswersRequest* request,
                                           v1::GetAnswersResponse* response) {
  return Serve(auth_, context, *request, response, prompt_,
               &Prompt::GetAnswers);
}

grpc::Status PromptServiceImpl::ListJournalEntries(
    grpc::ServerContext* context, const v1::ListJournalEntriesRequest* request,
    v1::ListJournalEntriesResponse* response) {
  return Serve(auth_, context, *request, response, prompt_,
               &Prompt::ListJournalEntries);
}

grpc::Status PromptServiceImpl::CreateCustomQuestion(
    grpc::ServerContext* context,
    const v1::CreateCustomQuestionRequest* request,
    v1::CustomQuestion* response) {
  return Serve(auth_, context, *request, response, prompt_,
               &Prompt::CreateCustomQuestion);
}

grpc::Status PromptServiceImpl::ListCustomQuestions(
    grpc::ServerContext* context, const v1::ListCustomQuestionsRequest* request,
    v1::ListCustomQuestionsResponse* response) {
  return Serve(auth_, context, *request, response, prompt_,
               &Prompt::ListCustomQuestions);
}

grpc::Status PromptServiceImpl::DeleteCustomQuestion(
    grpc::ServerContext* context,
    const v1::DeleteCustomQuestionRequest* request,
    google::protobuf::Empty* response) {
  return Serve(auth_, context, *request, response, prompt_,
               &Prompt::DeleteCustomQuestion);
}

grpc::Status PromptServiceImpl::SuggestGesture(
    grpc::ServerContext* context, const v1::SuggestGestureRequest* request,
    v1::GestureSuggestion* response) {
  return Serve(auth_, context, *request, response, prompt_,
               &Prompt::SuggestGesture);
}

grpc::Status PromptServiceImpl::GetReminderContent(
    grpc::ServerContext* context, const v1::GetReminderContentRequest* request,
    type::v1::ReminderContent* response) {
  return Serve(auth_, context, *request, response, prompt_,
               &Prompt::GetReminderContent);
}

grpc::Status PromptServiceImpl::GetLoveLanguageQuiz(
    grpc::ServerContext* context, const v1::GetLoveLanguageQuizRequest* request,
    v1::LoveLanguageQuiz* response) {
  return Serve(auth_, context, *request, response, prompt_,
               &Prompt::GetLoveLanguageQuiz);
}

grpc::Status PromptServiceImpl::SubmitQuizAnswers(
    grpc::ServerContext* context, const v1::SubmitQuizAnswersRequest* request,
    v1::LoveLanguageQuizResult* response) {
  return Serve(auth_, context, *request, response, prompt_,
               &Prompt::SubmitQuizAnswers);
}

grpc::Status PromptServiceImpl::GetConnectionCheck(
    grpc::ServerContext* context, const v1::GetConnectionCheckRequest* request,
    v1::ConnectionCheck* response) {
  return Serve(auth_, context, *request, response, prompt_,
               &Prompt::GetConnectionCheck);
}

grpc::Status PromptServiceImpl::SubmitConnectionCheck(
    grpc::ServerContext* context,
    const v1::SubmitConnectionCheckRequest* request,
    v1::ConnectionCheckResult* response) {
  return Serve(auth_, context, *request, response, prompt_,
               &Prompt::SubmitConnectionCheck);
}

grpc::Status PromptServiceImpl::GetConnectionSummary(
    grpc::ServerContext* context,
    const v1::GetConnectionSummaryRequest* request,
    v1::ConnectionSummary* response) {
  return Serve(auth_, context, *request, response, prompt_,
               &Prompt::GetConnectionSummary);
}

grpc::Status PromptServiceImpl::ExportUserData(
    grpc::ServerContext* context, const v1::ExportUserDataRequest* request,
    v1::ExportUserDataResponse* response) {
  return Serve(auth_, context, *request, response, prompt_,
               &Prompt::ExportUserData);
}

grpc::Status PromptServiceImpl::EraseUserData(
    grpc::ServerContext* context, const v1::EraseUserDataRequest* request,
    v1::EraseUserDataResponse* response) {
  return Serve(auth_, context, *request, response, prompt_,
               &Prompt::EraseUserData);
}

grpc::Status PromptServiceImpl::EraseCoupleData(
    grpc::ServerContext* context, const v1::EraseCoupleDataRequest* request,
    v1::EraseCoupleDataResponse* response) {
  return Serve(auth_, context, *request, response, prompt_,
               &Prompt::EraseCoupleData);
}

}  // namespace tend::prompt
