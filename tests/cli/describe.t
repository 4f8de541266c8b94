# rctkit describe on a column of numbers with a few cells that are not numbers: refused (exit 2,
# file:line:column of the first bad cell) from 90% numbers on (9 of 10 here), categorical below
# (8 of 10), and --categorical to count values anyway. tests/cli/data/describe_typo.csv has '12,5'
# (a decimal comma) in crp on line 8 and '1e999' in ferritin on line 16.
$ rctkit describe --data tests/cli/data/describe_typo.csv --value ferritin
rctkit describe: tests/cli/data/describe_typo.csv:16:4: '1e999' in column 'ferritin' is not a number, but 19 of its 20 non-missing values are: correct the cell (a decimal point, not a comma; numbers up to 1.8e308), mark it missing (NA), or give --categorical to count every value as a category, n (%)
[exit 2]
$ rctkit describe --data tests/cli/data/describe_typo.csv --value ferritin --format json
rctkit describe: tests/cli/data/describe_typo.csv:16:4: '1e999' in column 'ferritin' is not a number, but 19 of its 20 non-missing values are: correct the cell (a decimal point, not a comma; numbers up to 1.8e308), mark it missing (NA), or give --categorical to count every value as a category, n (%)
[exit 2]
$ rctkit describe --data tests/cli/data/describe_mixed.csv --value v
v, n (%) of non-missing values
level                               all
1                            1 (10.00%)
2                            1 (10.00%)
3                            1 (10.00%)
4                            1 (10.00%)
5                            1 (10.00%)
6                            1 (10.00%)
7                            1 (10.00%)
8                            1 (10.00%)
x                            1 (10.00%)
y                            1 (10.00%)
missing                               0
$ rctkit describe --x 1,2 --categorical
rctkit describe: --categorical applies to --data FILE.csv --value COL
[exit 2]
$ rctkit describe --data tests/cli/data/describe_typo.csv --value crp --categorical --format json
{
  "variable": "crp",
  "type": "categorical",
  "groups": [
    {
      "group": "all",
      "n": 19,
      "missing": 1,
      "levels": [
        {
          "level": "10.3",
          "count": 1,
          "percent": 5.2631578947368425
        },
        {
          "level": "11.1",
          "count": 1,
          "percent": 5.2631578947368425
        },
        {
          "level": "12,5",
          "count": 1,
          "percent": 5.2631578947368425
        },
        {
          "level": "16.4",
          "count": 1,
          "percent": 5.2631578947368425
        },
        {
          "level": "19.3",
          "count": 1,
          "percent": 5.2631578947368425
        },
        {
          "level": "19.4",
          "count": 1,
          "percent": 5.2631578947368425
        },
        {
          "level": "19.5",
          "count": 1,
          "percent": 5.2631578947368425
        },
        {
          "level": "19.6",
          "count": 1,
          "percent": 5.2631578947368425
        },
        {
          "level": "2.2",
          "count": 1,
          "percent": 5.2631578947368425
        },
        {
          "level": "2.7",
          "count": 1,
          "percent": 5.2631578947368425
        },
        {
          "level": "25.8",
          "count": 1,
          "percent": 5.2631578947368425
        },
        {
          "level": "27.2",
          "count": 1,
          "percent": 5.2631578947368425
        },
        {
          "level": "28.9",
          "count": 1,
          "percent": 5.2631578947368425
        },
        {
          "level": "3.6",
          "count": 1,
          "percent": 5.2631578947368425
        },
        {
          "level": "34.6",
          "count": 1,
          "percent": 5.2631578947368425
        },
        {
          "level": "36.4",
          "count": 1,
          "percent": 5.2631578947368425
        },
        {
          "level": "36.9",
          "count": 1,
          "percent": 5.2631578947368425
        },
        {
          "level": "6.1",
          "count": 1,
          "percent": 5.2631578947368425
        },
        {
          "level": "7.2",
          "count": 1,
          "percent": 5.2631578947368425
        }
      ]
    }
  ]
}
$ rctkit describe --data tests/cli/data/describe_ninety.csv --value v
rctkit describe: tests/cli/data/describe_ninety.csv:11:1: 'x' in column 'v' is not a number, but 9 of its 10 non-missing values are: correct the cell (a decimal point, not a comma; numbers up to 1.8e308), mark it missing (NA), or give --categorical to count every value as a category, n (%)
[exit 2]
