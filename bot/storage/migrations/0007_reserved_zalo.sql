-- Reserved for the zalo branch's 0007_zalo.sql (assigned number): delete this file when
-- that branch is merged. Empty so that answers can keep its assigned 0008.
SELECT 1;
