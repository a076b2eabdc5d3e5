#pragma once

#include "privacy/retention_job.h"
#include "privacy/subject_requests.h"
#include "store/review_store.h"

namespace strata::privacy {

// The hooks over the store's review queue (docs/REVIEW.md), for whoever
// builds a RetentionJob or SubjectRequests with reviews in scope: reviews
// and feedback purged by age (ReviewStore::PurgeBefore, PurgeFeedbackBefore);
// a subject's reviews exported (redacted exchange and decision, never the
// sealed held answer) and erased (ReviewStore::DeleteSubject).
// `reviews` must outlive the hooks.
RetentionHooks ReviewRetentionHooks(store::ReviewStore& reviews);
SubjectHooks ReviewSubjectHooks(store::ReviewStore& reviews);

}  // namespace strata::privacy
