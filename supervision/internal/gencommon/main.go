// Command gencommon writes supervision/common_passwords.txt: passwords of
// at least 12 characters that are common or trivially guessable (well-known
// leaked passwords, keyboard walks, repeats, sequences, a common word with a
// year or number). Shorter ones need no list: they are refused by length.
//
//	go run ./supervision/internal/gencommon > supervision/common_passwords.txt
package main

import (
	"fmt"
	"os"
	"sort"
	"strings"
)

// Words that lead many leaked passwords, with years or digits after them.
var words = strings.Fields(`password passw0rd p@ssword p@ssw0rd pa55word qwerty qwertyuiop asdfghjkl zxcvbnm
letmein welcome welcome1 iloveyou admin administrator dragon monkey football baseball basketball soccer hockey
sunshine princess shadow master superman batman spiderman trustno1 starwars whatever computer internet
michelle jennifer jessica charlie thomas michael jordan hunter ranger buster tigger daniel andrew joshua
liverpool chelsea arsenal everton tottenham manchester manutd newcastle celtic rangers leeds united
summer winter autumn spring london england scotland wales ireland britain changeme secret hello freedom
abc123 123qwe 1qaz2wsx qazwsx zaq12wsx blink182 pokemon minecraft fortnite naruto pokemon123 cookie chocolate
butterfly flower purple orange yellow banana apple pepper ginger jasmine rainbow angel angels lovely
blessed jesus christ godislove heaven family friends mother father sister brother daughter children
council socialwork socialworker supervision supervisor manager teammanager office office365 microsoft
windows outlook google facebook twitter instagram linkedin amazon netflix spotify playstation xbox
nintendo snoopy garfield scooby mickey peanut buttercup cheese pizza coffee beer whisky vodka
mustang ferrari porsche mercedes harley yamaha ducati corvette camaro thunder lightning matrix
killer hacker ninja samurai pirate warrior legend master1 qwerty1 password1 iloveyou1 abc12345
welcome123 letmein123 changeme1 temp temppass temporary default guest user login access
monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december`)

// Whole passwords of 12 or more characters that turn up in breach lists.
var known = strings.Fields(`123456789012 1234567890123 12345678901234 123456789000 1234567890qwerty
qwertyuiopasdfghjkl qwertyuiop123 qwertyuiop1234 1q2w3e4r5t6y 1q2w3e4r5t6y7u 1q2w3e4r5t6y7u8i 1qaz2wsx3edc
1qaz2wsx3edc4rfv qazwsxedcrfv qazwsxedcrfvtgb zaq12wsxcde3 zaq1zaq1zaq1 !qaz@wsx#edc qwerty123456 asdfghjkl123
1234qwerasdf 1234qwerasdfzxcv qwertyqwerty asdfasdfasdf passwordpassword password1234 password12345
password123456 password123! passw0rd1234 iloveyou1234 iloveyouforever iloveyousomuch letmeinplease
letmein12345 welcome12345 welcometothejungle changemeplease changeme1234 correcthorsebatterystaple
thequickbrownfox thequickbrownfoxjumpsoverthelazydog administrator1 administrator123 adminadminadmin
superman1234 batman123456 starwars1234 football1234 baseball1234 monkey123456 dragon123456 sunshine1234
princess1234 trustno1trustno1 123123123123 121212121212 112233445566 111222333444 123321123321
123454321123 147258369147 159753159753 147852369741 1234512345123 696969696969 987654321098 098765432109
0987654321098 000000000000 111111111111 999999999999 aaaaaaaaaaaa abcabcabcabc abcdefghijkl
abcdefghijklm abcdefghijklmnop abcdefghijklmnopqrstuvwxyz abcdefg12345 abcdef123456 abc123abc123
a1b2c3d4e5f6 a1b2c3d4e5f6g7 1a2b3c4d5e6f qwe123qwe123 qweasdzxc123 qweasdzxcqwe q1w2e3r4t5y6
asdfghjkl;' zxcvbnm12345 zxcvbnmasdfghjkl mnbvcxzlkjhgfdsa poiuytrewq123 ilovemymum ilovemydad
ilovemymom ilovemyfamily ilovemykids ilovemydog ilovemycat ilovejesus ilovegod iloveyoubaby
myspace12345 facebook1234 linkedin1234 google123456 microsoft123 windows12345 supervisionfile
supervisionfile1 childrensservices socialworker1 socialservices letmein!letmein nopassword1234
mypassword123 mypassword1234 secretpassword topsecret123 verysecret123 passwordispassword
thisismypassword thisisapassword ihateyou1234 fuckyou12345 fuckoff12345 whatever1234 baseball12345
trustnoone123 nothingtolose blahblahblah hellohellohello helloworld123 hello1234567 1234567890abc
0123456789012 01234567890123 qwertzuiopasdf azertyuiopqsd azerty123456 qwertz123456`)

var suffixes = []string{"", "1", "12", "123", "1234", "12345", "123456", "1234567", "!", "1!", "123!", "01", "69",
	"007", "99", "00", "11", "22", "77", "88", "!!", "@123", "#1", "2", "3"}

func main() {
	set := map[string]bool{}
	add := func(p string) {
		p = strings.ToLower(strings.ReplaceAll(p, " ", ""))
		if len(p) >= 12 && len(p) <= 72 {
			set[p] = true
		}
	}
	for _, k := range known {
		add(k)
	}
	for _, w := range words {
		for _, s := range suffixes {
			add(w + s)
			add(w + w + s)
		}
		for y := 1960; y <= 2035; y++ {
			add(fmt.Sprintf("%s%d", w, y))
			add(fmt.Sprintf("%s%d!", w, y))
			add(fmt.Sprintf("%s@%d", w, y))
		}
		add(w + "password")
		add("my" + w + "123")
		add("ilove" + w)
		add("ilove" + w + "123")
	}
	// Repeats and runs.
	for _, c := range "abcdefghijklmnopqrstuvwxyz0123456789!*." {
		for n := 12; n <= 24; n++ {
			add(strings.Repeat(string(c), n))
		}
	}
	digits := "12345678901234567890123456789"
	for n := 12; n <= 20; n++ {
		add(digits[:n])
		add(reverse(digits[:n]))
		add("0" + digits[:n-1])
	}
	for _, unit := range []string{"12", "123", "1234", "12345", "abc", "qwe", "asd", "xo", "ab", "69", "13", "21", "007", "pass", "love"} {
		for n := 1; len(strings.Repeat(unit, n)) <= 24; n++ {
			add(strings.Repeat(unit, n))
		}
	}
	list := make([]string, 0, len(set))
	for p := range set {
		list = append(list, p)
	}
	sort.Strings(list)
	w := os.Stdout
	fmt.Fprintln(w, "# Common passwords of 12 or more characters, lower-case, spaces removed; written by supervision/internal/gencommon.")
	for _, p := range list {
		fmt.Fprintln(w, p)
	}
}

func reverse(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}
