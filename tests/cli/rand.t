# rctkit rand: the seed trial's list (2:1, permuted blocks of 3 or 6, stratified by site; the
# same list comes out of the independent Python reference: python3
# tests/fixtures/make_rand_stream.py --msc-list), small exact assessments, and design-file
# errors with file:line:column (exit 2).
$ rctkit rand list --design examples/msc-trial/design.yaml --seed msc-2020
rand_no,stratum,block,block_size,arm
1,S01,1,6,placebo
2,S01,1,6,UC-MSC
3,S01,1,6,UC-MSC
4,S01,1,6,UC-MSC
5,S01,1,6,UC-MSC
6,S01,1,6,placebo
7,S01,2,6,UC-MSC
8,S01,2,6,UC-MSC
9,S01,2,6,placebo
10,S01,2,6,UC-MSC
11,S01,2,6,placebo
12,S01,2,6,UC-MSC
13,S01,3,3,placebo
14,S01,3,3,UC-MSC
15,S01,3,3,UC-MSC
16,S01,4,3,UC-MSC
17,S01,4,3,UC-MSC
18,S01,4,3,placebo
19,S01,5,3,UC-MSC
20,S01,5,3,UC-MSC
21,S01,5,3,placebo
22,S01,6,3,UC-MSC
23,S01,6,3,UC-MSC
24,S01,6,3,placebo
25,S01,7,6,placebo
26,S01,7,6,UC-MSC
27,S01,7,6,UC-MSC
28,S01,7,6,UC-MSC
29,S01,7,6,UC-MSC
30,S01,7,6,placebo
31,S01,8,3,placebo
32,S01,8,3,UC-MSC
33,S01,8,3,UC-MSC
34,S01,9,3,UC-MSC
35,S01,9,3,UC-MSC
36,S01,9,3,placebo
37,S01,10,3,placebo
38,S01,10,3,UC-MSC
39,S01,10,3,UC-MSC
40,S01,11,3,UC-MSC
41,S01,11,3,placebo
42,S01,11,3,UC-MSC
43,S01,12,6,UC-MSC
44,S01,12,6,placebo
45,S01,12,6,UC-MSC
46,S01,12,6,UC-MSC
47,S01,12,6,UC-MSC
48,S01,12,6,placebo
49,S01,13,6,UC-MSC
50,S01,13,6,UC-MSC
51,S01,13,6,UC-MSC
52,S01,13,6,placebo
53,S01,13,6,UC-MSC
54,S01,13,6,placebo
55,S01,14,6,UC-MSC
56,S01,14,6,placebo
57,S01,14,6,UC-MSC
58,S01,14,6,UC-MSC
59,S01,14,6,UC-MSC
60,S01,14,6,placebo
61,S02,1,3,placebo
62,S02,1,3,UC-MSC
63,S02,1,3,UC-MSC
64,S02,2,3,UC-MSC
65,S02,2,3,placebo
66,S02,2,3,UC-MSC
67,S02,3,3,UC-MSC
68,S02,3,3,UC-MSC
69,S02,3,3,placebo
70,S02,4,3,UC-MSC
71,S02,4,3,UC-MSC
72,S02,4,3,placebo
73,S02,5,3,UC-MSC
74,S02,5,3,UC-MSC
75,S02,5,3,placebo
76,S02,6,3,UC-MSC
77,S02,6,3,placebo
78,S02,6,3,UC-MSC
79,S02,7,3,UC-MSC
80,S02,7,3,placebo
81,S02,7,3,UC-MSC
82,S02,8,6,placebo
83,S02,8,6,UC-MSC
84,S02,8,6,placebo
85,S02,8,6,UC-MSC
86,S02,8,6,UC-MSC
87,S02,8,6,UC-MSC
88,S02,9,3,UC-MSC
89,S02,9,3,UC-MSC
90,S02,9,3,placebo
91,S02,10,3,UC-MSC
92,S02,10,3,UC-MSC
93,S02,10,3,placebo
94,S02,11,3,UC-MSC
95,S02,11,3,placebo
96,S02,11,3,UC-MSC
97,S02,12,3,UC-MSC
98,S02,12,3,placebo
99,S02,12,3,UC-MSC
100,S02,13,6,UC-MSC
101,S02,13,6,UC-MSC
102,S02,13,6,placebo
103,S02,13,6,UC-MSC
104,S02,13,6,UC-MSC
105,S02,13,6,placebo
106,S02,14,6,UC-MSC
107,S02,14,6,UC-MSC
108,S02,14,6,placebo
109,S02,14,6,UC-MSC
110,S02,14,6,UC-MSC
111,S02,14,6,placebo
112,S02,15,6,placebo
113,S02,15,6,placebo
114,S02,15,6,UC-MSC
115,S02,15,6,UC-MSC
116,S02,15,6,UC-MSC
117,S02,15,6,UC-MSC
118,S02,16,3,placebo
119,S02,16,3,UC-MSC
120,S02,16,3,UC-MSC
$ rctkit rand list --design examples/msc-trial/design.yaml --seed msc-2020 --out /dev/null
wrote 120 slots in 2 strata to /dev/null
$ rctkit rand assess --design tests/cli/data/rand/rar8.yaml
design: tests/cli/data/rand/rar8.yaml (random-allocation, arms A:B = 1:1)
sequence: one stratum, n = 8, exact (all 70 sequences enumerated)
expected correct guesses (convergence strategy): 5.32857 of 8 = 0.666071
expected maximum imbalance: 2.02857 (largest possible: 4)
expected final imbalance: 0
expected loss: 0
chronological bias, linear trend theta = 1: type-I error 0.0500365 at alpha = 0.05
$ rctkit rand assess --design tests/cli/data/rand/rar8.yaml --theta 0 --format json
{
  "design": "tests/cli/data/rand/rar8.yaml",
  "procedure": "random-allocation",
  "n": 8,
  "method": "exact",
  "sequences": 70,
  "expected_correct_guesses": 5.328571429,
  "proportion_correct_guesses": 0.6660714286,
  "se_proportion_correct_guesses": null,
  "expected_max_imbalance": 2.028571429,
  "largest_max_imbalance": 4.0,
  "expected_final_imbalance": 0.0,
  "expected_loss": 0.0,
  "theta": 0.0,
  "alpha": 0.05,
  "chronological_bias_type1_error": 0.05,
  "se_chronological_bias_type1_error": null
}
$ rctkit rand list --design tests/cli/data/rand/bad_block.yaml --seed 1
rctkit rand list: tests/cli/data/rand/bad_block.yaml:7:17: block size 4 is not a multiple of the ratio sum 3 (each block holds the arms in their exact ratio)
[exit 2]
$ rctkit rand list --design tests/cli/data/rand/unknown_key.yaml --seed 1
rctkit rand list: tests/cli/data/rand/unknown_key.yaml:6:3: unknown key 'seed' in procedure (expected: name, block_sizes, p, mti)
[exit 2]
$ rctkit rand list --design tests/cli/data/rand/malformed.yaml --seed 1
rctkit rand list: tests/cli/data/rand/malformed.yaml:5:12: did not find expected ',' or ']' (while parsing a flow sequence at line 4, column 12)
[exit 2]
$ rctkit rand list --design tests/cli/data/rand/nope.yaml --seed 1
rctkit rand list: tests/cli/data/rand/nope.yaml: cannot open: No such file or directory
[exit 2]
$ rctkit rand list --design examples/msc-trial/design.yaml
rctkit rand list: --design DESIGN.yaml and --seed S are required
[exit 2]
$ rctkit rand list --design examples/msc-trial/design.yaml --seed ''
rctkit rand list: the seed is empty
[exit 2]
$ rctkit rand assess --design tests/cli/data/rand/rar8.yaml --sims 0
rctkit rand assess: --sims must be a whole number from 1 to 1e9, not '0'
[exit 2]
$ rctkit rand assess --design tests/cli/data/rand/rar8.yaml --alpha 2
rctkit rand assess: --alpha 2 is outside (0, 1)
[exit 2]
$ rctkit rand shuffle
rctkit rand: unknown subcommand 'shuffle'

usage: rctkit rand list|assess --design DESIGN.yaml [options]

subcommands:
  list     write the randomization list (CSV) for a design and seed
  assess   predictability, imbalance, loss and chronological bias of a design

Run 'rctkit rand SUBCOMMAND --help' for the options.
[exit 2]
$ rctkit rand list --design tests/cli/data/rand/minimization.yaml --seed 1
rctkit rand list: tests/cli/data/rand/minimization.yaml: minimization runs at allocation time and has no list (use rk_rand_assign)
[exit 2]
