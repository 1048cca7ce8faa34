#pragma once
// Label Studio export of a preference project (--format label-studio on a pairwise or ranking
// project): one task per item, in the shapes Label Studio's own comparison tags read and write.
//
//   pairwise: data {"prompt": text, "text1": response A, "text2": response B} for
//     <Pairwise name="pw" toName="text1,text2"/> (a criterion's Pairwise is named after it);
//     each answer's judgement with a winner is a result
//     {"from_name": "pw", "to_name": "pw", "type": "pairwise", "value": {"selected": "left"|"right"}}
//     (left = text1 = response A in stored order, whatever order the annotator saw).
//   ranking: data {"prompt": text, "items": [{"id", "title", "body"}, ...]} for
//     <List name="responses" value="$items"/><Ranker name="rank" toName="responses"/>; each judgement
//     is {"from_name": "rank", "to_name": "responses", "type": "ranker",
//     "value": {"ranker": {"rank": [ids, best first]}}} (ties flattened in stored order).
//   A dialogue prompt is also kept as data.messages ([{role, content}], for a Paragraphs tag).
// What Label Studio's tags cannot hold (ties, both bad, strength, display order) stays in
// meta.hitloop.answers[].labels, hitloop's own encoding (preference/answer.h); a pairwise tie or
// both-bad judgement, and an all-bad ranking, gets no result and is counted in one note. Predictions: none (a preference project has
// no classifier). Memory: one item's answers at a time.
#include "core/status.h"
#include "io/format.h"

namespace hitloop::io {

// FailedPrecondition when ctx.project is not a preference project.
Status WriteLabelStudioPreferences(WriteContext& ctx);

}  // namespace hitloop::io
