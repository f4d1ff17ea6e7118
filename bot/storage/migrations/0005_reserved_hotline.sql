-- Reserved for the hotline branch's 0005_hotline.sql (assigned number): delete this file
-- when that branch is merged. Empty so that deadlines can keep its assigned 0006.
SELECT 1;
