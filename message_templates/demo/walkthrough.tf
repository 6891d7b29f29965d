# The scripted walk-through `taskforce demo` plays when stdin is not a terminal.
project info
action list
action list overdue
action show A3
status
:as 李娜
done A2
:as 刘洋
action due A4 next fri
action list mine
:as 孙丽
action add 「更新审批权限矩阵」 owner @刘洋 due 周五
:as 王磊
action add 「更新审批权限矩阵」 owner @刘洋 due 周五 deliverable 「权限矩阵 v2」
action list dept 财务部
action add 「会签规则」 owner @小明 due 明天
action due A6 明天下午3点
help action add
# A week of life in a minute: what the scheduler posts (overdue alerts at 09:00,
# reminders, the Friday 17:00 digest) while the clock runs seven days ahead.
:tick +7d
