// Users, membership, sessions and idempotency keys (the server's part of the Store).
#include <gtest/gtest.h>

#include "store/store.h"
#include "support/store_backends.h"
#include "support/temp_dir.h"

namespace hitloop {
namespace {

class StoreAuthTest : public ::testing::TestWithParam<testing::StoreBackend> {
 protected:
  void SetUp() override {
    if (auto why = GetParam().unavailable(); !why.empty()) GTEST_SKIP() << GetParam().name << ": " << why;
    auto s = GetParam().open(dir_.path());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    Project p;
    p.name = "spam";
    p.labels = {"ham", "spam"};
    auto created = store_->CreateProject(p);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    project_ = *created;
  }
  User MakeUser(const std::string& name, const std::string& hash, Role role = Role::kAnnotator) {
    User u;
    u.name = name;
    u.role = role;
    u.pools = {"general", "experts"};
    u.created_at = 5;
    auto r = store_->CreateUser(u, hash);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : User{};
  }

  void TearDown() override {
    store_.reset();
    GetParam().cleanup(dir_.path());
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  Project project_;
};

const std::string kHashA(32, 'a');
const std::string kHashB(32, 'b');

TEST_P(StoreAuthTest, CreateAndFindUserByTokenHash) {
  User alice = MakeUser("alice", kHashA, Role::kReviewer);
  EXPECT_GT(alice.id, 0);
  auto found = store_->FindUserByTokenHash(kHashA);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->name, "alice");
  EXPECT_EQ((*found)->role, Role::kReviewer);
  EXPECT_EQ((*found)->pools, (std::vector<std::string>{"general", "experts"}));
  auto missing = store_->FindUserByTokenHash(kHashB);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_P(StoreAuthTest, DuplicateNameAndDuplicateTokenRejected) {
  MakeUser("alice", kHashA);
  User u;
  u.name = "alice";
  EXPECT_EQ(store_->CreateUser(u, kHashB).status().code(), StatusCode::kAlreadyExists);
  u.name = "bob";
  EXPECT_EQ(store_->CreateUser(u, kHashA).status().code(), StatusCode::kAlreadyExists);
  u.name = "";
  EXPECT_EQ(store_->CreateUser(u, std::string(32, 'c')).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(StoreAuthTest, DisabledUserCannotAuthenticateAndLosesSessions) {
  User alice = MakeUser("alice", kHashA);
  ASSERT_TRUE(store_->CreateSession(kHashB, alice.id, 100, 1000).ok());
  ASSERT_TRUE(store_->SetUserDisabled(alice.id, true).ok());
  EXPECT_FALSE(store_->FindUserByTokenHash(kHashA)->has_value());
  EXPECT_FALSE(store_->FindSession(kHashB, 200)->has_value());
  ASSERT_TRUE(store_->SetUserDisabled(alice.id, false).ok());
  EXPECT_TRUE(store_->FindUserByTokenHash(kHashA)->has_value());
  EXPECT_EQ(store_->SetUserDisabled(9999, true).code(), StatusCode::kNotFound);
}

TEST_P(StoreAuthTest, TokenRotationInvalidatesOldToken) {
  User alice = MakeUser("alice", kHashA);
  ASSERT_TRUE(store_->SetUserToken(alice.id, kHashB).ok());
  EXPECT_FALSE(store_->FindUserByTokenHash(kHashA)->has_value());
  EXPECT_TRUE(store_->FindUserByTokenHash(kHashB)->has_value());
}

TEST_P(StoreAuthTest, SessionsExpire) {
  User alice = MakeUser("alice", kHashA);
  ASSERT_TRUE(store_->CreateSession(kHashB, alice.id, 100, 1000).ok());
  auto s = store_->FindSession(kHashB, 999);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s->has_value());
  EXPECT_EQ((*s)->name, "alice");
  EXPECT_FALSE(store_->FindSession(kHashB, 1000)->has_value());
  EXPECT_FALSE(store_->FindSession(kHashA, 500)->has_value());  // a token hash is not a session
  ASSERT_TRUE(store_->DeleteSession(kHashB).ok());
  EXPECT_FALSE(store_->FindSession(kHashB, 500)->has_value());
}

TEST_P(StoreAuthTest, Membership) {
  User alice = MakeUser("alice", kHashA);
  EXPECT_FALSE(*store_->IsMember(project_.id, alice.id));
  ASSERT_TRUE(store_->AddMember(project_.id, alice.id).ok());
  ASSERT_TRUE(store_->AddMember(project_.id, alice.id).ok());  // idempotent
  EXPECT_TRUE(*store_->IsMember(project_.id, alice.id));
  EXPECT_EQ(*store_->ListMemberProjects(alice.id), std::vector<int64_t>{project_.id});
  EXPECT_EQ(store_->AddMember(project_.id + 100, alice.id).code(), StatusCode::kNotFound);
}

TEST_P(StoreAuthTest, IdempotencyFirstWriteWinsAndIsPerUser) {
  User alice = MakeUser("alice", kHashA);
  User bob = MakeUser("bob", kHashB);
  EXPECT_FALSE(store_->GetIdempotent(alice.id, "k1")->has_value());
  IdempotentResponse r{"submit:x:[\"ham\"]", 200, "{\"ok\":true}"};
  ASSERT_TRUE(store_->PutIdempotent(alice.id, "k1", r, 1).ok());
  IdempotentResponse other{"submit:y", 409, "{}"};
  EXPECT_EQ(store_->PutIdempotent(alice.id, "k1", other, 2).code(), StatusCode::kAlreadyExists);
  auto got = store_->GetIdempotent(alice.id, "k1");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->fingerprint, r.fingerprint);
  EXPECT_EQ((*got)->status, 200);
  EXPECT_EQ((*got)->body, r.body);
  EXPECT_FALSE(store_->GetIdempotent(bob.id, "k1")->has_value());
}

TEST_P(StoreAuthTest, UsersSurviveReopen) {
  MakeUser("alice", kHashA, Role::kAdmin);
  store_.reset();
  auto s = GetParam().open(dir_.path());
  ASSERT_TRUE(s.ok());
  auto users = (*s)->ListUsers();
  ASSERT_TRUE(users.ok());
  ASSERT_EQ(users->size(), 1u);
  EXPECT_EQ((*users)[0].role, Role::kAdmin);
}

TEST_P(StoreAuthTest, QueueCountsByPoolAndKind) {
  for (int i = 0; i < 3; ++i) {
    Item it;
    it.project_id = project_.id;
    it.external_id = "i" + std::to_string(i);
    it.text = "t";
    it.content_hash = "h" + std::to_string(i);
    int64_t id = 0;
    ASSERT_TRUE(store_->PutItem(it, "", &id).ok());
    QueueEntry e;
    e.project_id = project_.id;
    e.item_id = id;
    e.pool = i == 2 ? "experts" : "general";
    e.kind = i == 1 ? "audit" : "review";
    ASSERT_TRUE(store_->Enqueue(e).ok());
  }
  auto c = store_->QueueCounts(project_.id);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)[std::make_pair(std::string("general"), std::string("review"))], 1);
  EXPECT_EQ((*c)[std::make_pair(std::string("general"), std::string("audit"))], 1);
  EXPECT_EQ((*c)[std::make_pair(std::string("experts"), std::string("review"))], 1);
  EXPECT_EQ(*store_->CountOpenQueue(project_.id, {"general"}), 2);
  EXPECT_EQ(*store_->CountOpenQueue(project_.id, {"general", "experts"}), 3);
  EXPECT_EQ(*store_->CountOpenQueue(project_.id, {"nobody"}), 0);
}

// The counts are kept by triggers (migration 6): after enqueues, re-enqueues into another pool,
// answers that close entries (overlap 2), skips and a cleared queue they must equal a count over
// the queue itself.
TEST_P(StoreAuthTest, QueueCountsFollowEveryQueueWrite) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 12; ++i) {
    Item it;
    it.project_id = project_.id;
    it.external_id = "c" + std::to_string(i);
    it.text = "t";
    it.content_hash = "hc" + std::to_string(i);
    int64_t id = 0;
    ASSERT_TRUE(store_->PutItem(it, "", &id).ok());
    ids.push_back(id);
    QueueEntry e;
    e.project_id = project_.id;
    e.item_id = id;
    e.pool = i % 3 == 0 ? "experts" : "general";
    e.kind = i % 4 == 0 ? "audit" : "review";
    e.overlap = i % 5 == 0 ? 2 : 1;
    ASSERT_TRUE(store_->Enqueue(e).ok());
  }
  auto check = [&](const char* when) {
    int64_t general = 0, experts = 0, total = 0;
    ASSERT_TRUE(store_->ScanOpenQueue(project_.id, [&](const QueueEntry& q) {
      general += q.pool == "general";
      experts += q.pool == "experts";
      ++total;
      return true;
    }).ok());
    EXPECT_EQ(*store_->CountOpenQueue(project_.id, {"general"}), general) << when;
    EXPECT_EQ(*store_->CountOpenQueue(project_.id, {"experts"}), experts) << when;
    int64_t by_kind = 0;
    auto counts = store_->QueueCounts(project_.id);
    ASSERT_TRUE(counts.ok());
    for (const auto& [key, n] : *counts) by_kind += n;
    EXPECT_EQ(by_kind, total) << when;
    EXPECT_EQ(store_->GetStatus(project_.id)->queued, total) << when;
  };
  check("after enqueue");
  // Re-enqueue an open review entry into another pool: the same entry moves.
  QueueEntry moved;
  moved.project_id = project_.id;
  moved.item_id = ids[1];
  moved.pool = "experts";
  moved.kind = "review";
  auto mv = store_->Enqueue(moved);
  ASSERT_TRUE(mv.ok()) << mv.status().ToString();
  check("after a move");
  // Answers: claim and submit everything in "general" (overlap-2 entries stay open after one).
  for (int round = 0; round < 20; ++round) {
    ClaimRequest req;
    req.project_id = project_.id;
    req.annotator = "ann" + std::to_string(round);
    req.pools = {"general"};
    req.now = 1000 + round;
    auto c = store_->Claim(req);
    ASSERT_TRUE(c.ok());
    if (!c->has_value()) break;
    ASSERT_TRUE(store_
                    ->FinishLease((*c)->lease.id, req.annotator,
                                  round % 3 ? LeaseState::kSubmitted : LeaseState::kSkipped, 2000)
                    .ok());
    check("after an answer");
  }
  ASSERT_TRUE(store_->ClearQueue(project_.id, "review").ok());
  check("after clearing reviews");
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreAuthTest, ::testing::ValuesIn(testing::kStoreBackends),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace hitloop
